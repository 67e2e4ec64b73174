# The Jupyter Book: pages rendered from the tables, then built offline with warnings as errors.
# Rendering the pages takes seconds and runs on the local machine; the Sphinx build (a minute of CPU)
# is a job of its own, submitted like any other on a cluster.
import glob
import os


localrules:
    book_pages,


BOOK_FIGURES = (
    ["fig2", "fig3", "supp2", "supp3", "supp4", "supp5", "ext1"]
    + (["hardware"] if HARDWARE_ENABLED else [])
    + GEOMETRY_FIGURES
    + (["beyond"] if BEYOND_ENABLED else [])
    + (["large"] if LARGE_ENABLED else [])
    + (["failures"] if FAILURES_ENABLED else [])
)
# Committed benchmark results (benchmarks/results/*.json), read by the performance page.
BENCH_RESULTS = sorted(glob.glob("benchmarks/results/*.json"))


# Generated pages the config no longer makes (a removed study, a disabled optional target), their
# figure copies and built HTML: _toc.yml globs these pages, so a leftover one would stay in the book.
# The book job removes them before it builds.
STALE_PAGES = [
    p
    for p in sorted(glob.glob("book/generated/study_*.md"))
    + [
        "book/generated/hardware.md",
        "book/generated/beyond.md",
        "book/generated/large.md",
        "book/generated/failures.md",
    ]
    if os.path.exists(p) and p not in STUDY_BOOK and p[len("book/generated/") : -3] not in BOOK_FIGURES
]
STALE_FILES = STALE_PAGES + [
    f
    for p in STALE_PAGES
    for f in (
        p.replace("book/generated/", "book/generated/figures/")[:-3] + ".png",
        p.replace("book/generated/", "book/generated/figures/")[:-3] + ".pdf",
        p.replace("book/generated/", "book/_build/html/generated/")[:-3] + ".html",
    )
    if os.path.exists(f)
]


rule book_pages:
    input:
        tables=expand("results/tables/{fig}.csv", fig=BOOK_FIGURES),
        figures=expand("results/figures/{fig}.png", fig=BOOK_FIGURES),
        extra=["results/tables/dla.csv"]
        + expand("results/tables/{exp}_spectra.csv", exp=["supp4", "supp5"])
        + ["results/tables/critical.csv"]
        # The Replication chapter (replication, transition, capacity and scale pages).
        + expand("results/tables/{t}.csv", t=REPLICATION_FIGURES + ["capacity"])
        + expand("results/figures/{f}.png", f=REPLICATION_FIGURES + ["capacity"])
        + [f"results/tables/{t}.csv" for t in FAILURE_PAGE_TABLES]
        # The "Beyond the paper's sizes" page's further tables and figures.
        + [f"results/tables/{t}.csv" for t in LARGE_PAGE_TABLES]
        + [f"results/figures/{f}.png" for f in LARGE_PAGE_FIGURES],
        bench=BENCH_RESULTS,
    output:
        "book/generated/pages.json",
    log:
        "logs/book_pages.log",
    conda:
        ENV
    params:
        figures=" ".join(BOOK_FIGURES),
        config_hash=CONFIG_HASH,
    shell:
        "overparam book render --figures {params.figures} --book book --config-hash {params.config_hash} 2> {log}"


rule book:
    input:
        "book/generated/pages.json",
        "book/intro.md",
        "book/_toc.yml",
        "book/_config.yml",
        glob.glob("book/_static/*"),  # the book's own CSS (wide tables)
        STUDY_BOOK,  # user studies' pages and the tutorial's numbers (studies.smk)
    output:
        "book/_build/html/index.html",
    log:
        "logs/book.log",
    conda:
        ENV
    params:
        stale=" ".join(STALE_FILES),
    shell:
        "rm -f {params.stale} && jupyter-book build book -W --keep-going > {log} 2>&1"
