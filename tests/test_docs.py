"""README is for a newcomer: the two set-up commands, a short "Try it", links to docs/ (issue 22).
The operations material lives in docs/, and nothing there may be out of reach or out of date."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _markdown_files():
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_readme_starts_with_the_two_set_up_commands_and_stays_short():
    readme = (ROOT / "README.md").read_text()
    lines = readme.splitlines()
    assert lines[2] == "```sh"
    assert lines[3].startswith("make run ")
    assert lines[4].startswith("make test ")
    assert lines[5] == "```"
    assert len(readme.encode()) < 6 * 1024, "README.md over 6 KB: move the detail to docs/"


def test_readme_links_every_page_of_docs():
    readme = (ROOT / "README.md").read_text()
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"](docs/{page.name})" in readme, f"docs/{page.name} is not linked from README"


def test_every_relative_link_of_readme_and_docs_leads_to_a_file():
    for source in _markdown_files():
        for target in LINK.findall(source.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (source.parent / target).exists(), f"{source.name}: {target} does not exist"


def test_every_management_command_is_documented():
    commands = (ROOT / "docs" / "commands.md").read_text()
    for path in ROOT.glob("*/management/commands/*.py"):
        if path.name.startswith("_"):
            continue
        name = path.stem
        assert f"`python manage.py {name}" in commands, f"{name} missing from docs/commands.md"


def test_the_try_it_logins_are_the_demos():
    from wards import demo

    readme = (ROOT / "README.md").read_text()
    usernames = {login.username for login in demo.LOGINS}
    for username in ("tnv.lang", "doitruong.lang", "giamsat.dongda"):
        assert f"`{username}`" in readme
        assert username in usernames, f"{username} is no longer a demo login"
    assert f"`{demo.PASSWORD}`" in readme
