"""Clean the names already on the registers as every save now does (wards.text.clean_text) and
fold them again (cases.text.fold), so that a zero-width or bidi character typed before issue 19
no longer hides a person from the search or the duplicate check."""

from django.db import migrations

from cases.text import fold
from wards.text import clean_text

BATCH = 2_000


def clean_names(apps, schema_editor):
    Person = apps.get_model("cases", "Person")
    changed = []
    rows = Person.objects.only("full_name", "alias", "search_key").order_by("pk")
    for person in rows.iterator(chunk_size=BATCH):
        name, alias = clean_text(person.full_name), clean_text(person.alias)
        key = fold(f"{name} {alias}")
        if (name, alias, key) != (person.full_name, person.alias, person.search_key):
            person.full_name, person.alias, person.search_key = name, alias, key
            changed.append(person)
        if len(changed) >= BATCH:
            Person.objects.bulk_update(changed, ["full_name", "alias", "search_key"])
            changed = []
    Person.objects.bulk_update(changed, ["full_name", "alias", "search_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_version"),
    ]

    operations = [migrations.RunPython(clean_names, migrations.RunPython.noop, elidable=True)]
