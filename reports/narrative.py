"""The paragraph offices publish, written from a report's figures (INDICATORS.md, Narrative).

Always Vietnamese, as filed, whatever the interface language: numbers grouped with dots
(6.421), money in triệu đồng (110 triệu đồng, 112,5 triệu đồng), and every clause whose
figures are zero left out.

Nothing here names a figure: each indicator of the catalogue declares its own clause (`says`,
a `reports.indicators.Clause`), and `write` walks the catalogue in order:

- a row with a clause and a non-zero figure writes its clause: the text with the figure, then
  each of its `also` parts whose figure is not zero («đã tổ chức 176 cuộc tuyên truyền với
  6.421 lượt người tham dự»);
- the sub-rows ("of which") that follow it, with a clause and a non-zero figure, go in
  brackets after it («tiếp cận, giúp đỡ 143 người (trong đó 49 người có nguy cơ cao; …)»); a
  sub-row whose row is silent or zero is a clause of its own;
- a clause that `joins` continues the clause of the row declared before it (the joining rows
  between them being zero), without the opening words it shares with that clause's first
  part, the parts listed «A, B và C» («hỗ trợ vay vốn cho 4 người sau cai nghiện với số tiền
  40 triệu đồng và 6 hộ gia đình với số tiền 70 triệu đồng»).
"""

from __future__ import annotations

from decimal import Decimal

from reports.indicators import MONEY, Catalogue
from reports.indicators import catalogue as read_catalogue
from reports.periods import Period


def number(n: int) -> str:
    """6421 → «6.421»."""
    return f"{n:,}".replace(",", ".")


def million(amount: int) -> str:
    """110000000 → «110 triệu đồng»; 112500000 → «112,5 triệu đồng»; under a million, đồng."""
    if amount < 1_000_000:
        return f"{number(amount)} đồng"
    value = (Decimal(amount) / Decimal(1_000_000)).quantize(Decimal("0.01")).normalize()
    whole, _dot, frac = f"{value:f}".partition(".")
    text = number(int(whole)) + ("," + frac if frac else "")
    return f"{text} triệu đồng"


def shared(first: str, then: str) -> str:
    """The whole words two clauses open with: «tư vấn » for «tư vấn trực tiếp {} lượt» and
    «tư vấn gián tiếp {} lượt»."""
    words = []
    for a, b in zip(first.split(" "), then.split(" "), strict=False):
        if a != b or "{}" in a:
            break
        words.append(a + " ")
    return "".join(words)


def _listed(parts: list[str]) -> str:
    """«A», «A và B», «A, B và C»."""
    return " và ".join(filter(None, (", ".join(parts[:-1]), parts[-1])))


def _when(period: Period) -> str:
    label = str(period.label_vi)
    if period.kind == "range":
        return label
    return "Trong " + label[0].lower() + label[1:]


def write(values: dict[str, int], period: Period, catalogue: Catalogue | None = None) -> str:
    """The narrative for `values` (a report's figures) over `period`; "" when all are zero.

    `catalogue` is the report's `reports.indicators.Catalogue` (read from the database, one
    query, when not given). A code the values do not carry counts as zero."""
    if catalogue is None:
        catalogue = read_catalogue()
    by_code = catalogue.by_code

    def figure(code: str) -> int:
        return values.get(code, 0)

    def say(code: str, text: str) -> str:
        value = figure(code)
        money = code in by_code and by_code[code].kind == MONEY
        return text.format(million(value) if money else number(value))

    def clause(indicator, text: str) -> str:
        out = say(indicator.code, text)
        for code, words in indicator.says.also:
            if figure(code):
                part = say(code, words)
                out += part if part.startswith(",") else " " + part
        return out

    clauses: list[list[str]] = []  # each clause as its parts (one, or several joined)
    first = ""  # the text of the first part of the last clause, while rows may join it
    of_which: list[str] = []  # the sub-rows of the last row written, said in its brackets
    open_row = False  # the last row was written: its sub-rows go in its brackets

    def close() -> None:
        if of_which:
            clauses[-1][-1] += f" (trong đó {'; '.join(of_which)})"
            of_which.clear()

    for indicator in catalogue.indicators:
        says = indicator.says
        if indicator.sub:
            if says is None or not figure(indicator.code):
                continue
            if open_row:
                of_which.append(clause(indicator, says.text))
            else:
                close()
                clauses.append([clause(indicator, says.text)])
                first = ""
            continue
        if says is None:
            open_row = False
            continue
        close()
        open_row = bool(figure(indicator.code))
        if open_row and says.joins and first:
            text = clause(indicator, says.text)
            clauses[-1].append(text.removeprefix(shared(first, says.text)))
        elif open_row:
            clauses.append([clause(indicator, says.text)])
            first = says.text
        elif not says.joins:
            first = ""
    close()

    if not clauses:
        return ""
    return f"{_when(period)}, {'; '.join(_listed(parts) for parts in clauses)}."
