"""Every book page, rendered from templates, has the content the earlier f-string code gave.

``tests/data/pages/<name>.md`` was rendered by the f-string code from the synthetic tables of
``tests/page_inputs.py`` before the pages became Jinja templates; the deliberate changes since are
the ext1 page citing the paper instead of a project-internal file, and the failures page's columns
for failed runs that had reached the round-off floor (and the budget table's fixed-protocol count), and
the performance page's sentence on Snakemake's sampled CPU time.
"""

from __future__ import annotations

import jinja2
import pytest

from overparam.report.blocks import render
from page_inputs import DATA, render_all


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return render_all(tmp_path_factory.mktemp("pages"))


def test_every_page_has_a_fixture(pages):
    assert sorted(pages) == sorted(p.stem for p in DATA.glob("*.md"))


@pytest.mark.parametrize("name", sorted(p.stem for p in DATA.glob("*.md")))
def test_page_content_is_unchanged(pages, name):
    assert pages[name] == (DATA / f"{name}.md").read_text()


def test_a_missing_value_fails_loudly():
    with pytest.raises(jinja2.UndefinedError):
        render("figure.md.j2", fig="fig2", caption="c")
