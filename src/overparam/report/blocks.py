"""What every book page shares: the Jinja environment of ``report/templates/``, Markdown tables,
figure blocks and the provenance sections.

Pages are Jinja2 templates (MyST Markdown with ``{{ value }}`` placeholders); the statistics they
show are computed in Python and passed in. The environment uses ``StrictUndefined``, so a value a
template names but the page does not pass fails the build instead of leaving a blank.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable, Sequence

import jinja2


def md_table(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown (GFM) table; a ``|`` inside a cell (header or body) is escaped so it cannot split the cell."""
    lines = ["| " + " | ".join(str(c).replace("|", "\\|") for c in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def fmt(value: Any, spec: str) -> str:
    """``format(value, spec)``: Python's format mini-language inside templates (``{{ x | fmt(".2e") }}``)."""
    return format(value, spec)


def plural(count: int, word: str) -> str:
    """``"1 job"``, ``"2 jobs"``."""
    return f"{count} {word}{'s' if count != 1 else ''}"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja environment of the book's templates."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("overparam.report", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["fmt"] = fmt
    env.globals.update(md_table=md_table, figure_block=figure_block, plural=plural)
    return env


def render(template: str, **context: Any) -> str:
    """Render ``report/templates/<template>`` with ``context``."""
    return environment().get_template(template).render(**context)


def figure_block(fig: str, caption: str, alt: str | None = None, label: str | None = None) -> str:
    """A MyST figure of ``figures/<fig>.png`` named ``fig-<label>`` (default ``fig-<fig>``); the alt text
    defaults to the caption."""
    return render("figure.md.j2", fig=fig, label=fig if label is None else label, caption=caption,
                  alt=caption if alt is None else alt).rstrip("\n")


def provenance_block(prov: dict, wall: dict[str, float], rules: str = "the simulation rules") -> str:
    """The provenance section every page ends with: commit, config hash, versions, machine, wall times.

    ``wall`` maps a job to its wall seconds, read from the Snakemake ``benchmark:`` files of ``rules``.
    """
    longest = max(wall, key=wall.get) if wall else None
    jobs = [[f"`{job}`", f"{seconds:.2f}"] for job, seconds in sorted(wall.items())]
    return render("provenance.md.j2", prov=prov, wall=wall, rules=rules, longest=longest, jobs=jobs,
                  packages=", ".join(f"{k} {v}" for k, v in prov["packages"].items()))


def provenance_list(prov: dict, wall: dict[str, float]) -> str:
    """The short provenance of a study's page: commit, config hash, packages, machine, its jobs' wall times."""
    return render("provenance_list.md.j2", prov=prov,
                  packages=", ".join(f"{k} {v}" for k, v in prov["packages"].items()),
                  times=", ".join(f"{k}: {v:.1f} s" for k, v in wall.items()) or "not recorded")
