"""The built book in a real browser: headless Chromium (Debian's chromium and chromium-driver) opens
every page of the quick workflow's book, checks that every figure image loads, that every Markdown
table was rendered as a table and fits the page width at 1280 px, and that MathJax is served from
the book itself, and saves a screenshot of each page under the test's tmp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="headless browser test needs Debian's chromium and chromium-driver "
        "(/usr/bin/chromium, /usr/bin/chromedriver): apt-get install -y chromium chromium-driver "
        "(.ci/run installs them)",
    ),
]


def book_pages(html: Path) -> list[Path]:
    """Every content page of the built book (the intro first; no search, index or redirect pages)."""
    skip = {"index.html", "search.html", "genindex.html", "intro.html"}
    pages = [p for p in sorted(html.rglob("*.html")) if p.name not in skip
             and not any(part.startswith("_") for part in p.relative_to(html).parts)]
    return [html / "intro.html", *pages]


def rendered(page: Path) -> bool:
    """A page written by ``overparam book render`` (or the intro that includes its contents block)."""
    return page.parent.name == "generated" or page.name == "intro.html"


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1600", "--allow-file-access-from-files"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


IMAGES_JS = """
return Array.from(document.images).map(i => ({
    src: i.getAttribute('src'), complete: i.complete, width: i.naturalWidth,
    figure: i.closest('figure') !== null}));
"""


# Markdown table source left as text: a paragraph that starts with "|" and holds a "|---|" rule line,
# which the book's typography turns into "|—|" (a cell with an unescaped "|" breaks the whole table
# into a paragraph like this).
UNRENDERED_TABLES_JS = """
return Array.from(document.querySelectorAll('main p, main li'))
    .map(p => p.textContent.trim())
    .filter(t => t.startsWith('|') && /\\|\\s*:?(-{3,}|[\u2013\u2014]+)\\s*:?\\|/.test(t))
    .map(t => t.slice(0, 80));
"""

# Tables wider than the space they are given (cut off, or scrolled sideways inside the theme's
# container), and the page itself scrolling sideways.
OVERFLOW_JS = """
const out = [];
document.querySelectorAll('main table').forEach((t, k) => {
    const box = t.closest('.pst-scrollable-table-container') || t.parentElement;
    const article = t.closest('article') || document.querySelector('main');
    const right = t.getBoundingClientRect().right, limit = article.getBoundingClientRect().right;
    if (t.offsetWidth > 0 && (box.scrollWidth > box.clientWidth + 1 || right > limit + 1)) {
        const head = Array.from(t.querySelectorAll('th')).map(h => h.textContent.trim()).slice(0, 4).join(' | ');
        out.push(`table ${k} (${head}): ${t.scrollWidth} px in ${box.clientWidth} px`);
    }
});
if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    out.push(`page: ${document.documentElement.scrollWidth} px wide in a ${window.innerWidth} px window`);
}
return out;
"""


def test_every_page_loads_its_figures_in_headless_chromium(quick_workflow, browser, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait

    repo, out = quick_workflow
    assert out.returncode == 0, out.stderr[-3000:]
    html = repo / "book/_build/html"
    pages = book_pages(html)
    names = {p.stem for p in pages}
    assert {"intro", "results", "performance", "fig2", "fig3", "supp2"} <= names, names
    figures_seen = tables_seen = 0
    for page in pages:
        browser.get(page.as_uri())
        WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
        # Images decode asynchronously: wait until each one has finished (loaded or failed).
        WebDriverWait(browser, 30).until(lambda d: all(i["complete"] for i in d.execute_script(IMAGES_JS)))
        images = browser.execute_script(IMAGES_JS)
        broken = [i["src"] for i in images if i["width"] == 0]
        assert not broken, f"{page.name}: images that did not load: {broken}"
        in_figures = [i for i in images if i["figure"]]
        # Summary pages (tables only): results, performance, and the Replication chapter's transition and scale.
        if page.parent.name == "generated" and page.stem not in ("results", "performance", "transition", "scale"):
            assert in_figures, f"{page.name}: no figure image on a figure page"
        figures_seen += len(in_figures)
        if rendered(page):
            assert browser.find_elements("id", "provenance"), f"{page.name}: no provenance section"
        numbers = browser.execute_script(
            "return Array.from(document.querySelectorAll('figcaption .caption-number'))"
            ".filter(e => e.offsetParent !== null).map(e => e.textContent.trim());")
        assert not numbers, f"{page.name}: Sphinx figure numbers beside the paper's ids: {numbers}"
        unrendered = browser.execute_script(UNRENDERED_TABLES_JS)
        assert not unrendered, f"{page.name}: Markdown tables left as text: {unrendered}"
        tables_seen += len(browser.find_elements("css selector", "main table"))
        overflow = browser.execute_script(OVERFLOW_JS)
        assert not overflow, f"{page.name}: wider than the page at 1280 px: {overflow}"
        shot = tmp_path / f"{page.stem}.png"
        assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000, shot
    assert figures_seen >= 7 and tables_seen >= 10, (figures_seen, tables_seen)

    # MathJax is the book's own copy, and it typesets the intro's formulas without any network.
    browser.get((html / "intro.html").as_uri())
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
    # (once, under load, the script list read back empty right after the load: read until it is not)
    sources = WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "return Array.from(document.scripts).map(s => s.src).filter(s => s.toLowerCase().includes('mathjax'));"
    ), message="intro.html: no MathJax script in the page")
    assert all(s.startswith("file://") for s in sources), sources
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.querySelectorAll('mjx-container').length") > 0)
    print(f"screenshots: {tmp_path}")
    if os.environ.get("OVERPARAM_KEEP_SCREENSHOTS"):
        keep = Path(os.environ["OVERPARAM_KEEP_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        for shot in tmp_path.glob("*.png"):
            (keep / shot.name).write_bytes(shot.read_bytes())
