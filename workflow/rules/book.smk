# The Jupyter Book: pages rendered from the tables, then built offline with warnings as errors.


BOOK_FIGURES = (
    ["fig2", "fig3", "supp2", "supp3", "supp4", "supp5", "ext1"]
    + (["hardware"] if HARDWARE_ENABLED else [])
    + GEOMETRY_FIGURES
)
BOOK_FIGURES += ["beyond"] if BEYOND_ENABLED else []
BOOK_FIGURES += ["failures"] if FAILURES_ENABLED else []


rule book_pages:
    input:
        tables=expand("results/tables/{fig}.csv", fig=BOOK_FIGURES),
        figures=expand("results/figures/{fig}.png", fig=BOOK_FIGURES),
        extra=["results/tables/dla.csv"]
        + expand("results/tables/{exp}_spectra.csv", exp=["supp4", "supp5"])
        + ["results/tables/critical.csv"]
        + (["results/tables/failures_summary.csv"] if FAILURES_ENABLED else [])
        + (["results/tables/failures_budget.csv"] if FAILURES_ENABLED and FAILURE_BUDGET else []),
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
        "overparam book render --figures {params.figures} --book book" " --config-hash {params.config_hash} 2> {log}"


rule book:
    input:
        "book/generated/pages.json",
        "book/intro.md",
        "book/_toc.yml",
        "book/_config.yml",
        STUDY_BOOK,  # user studies' pages and the tutorial's numbers (studies.smk)
    output:
        "book/_build/html/index.html",
    log:
        "logs/book.log",
    conda:
        ENV
    shell:
        "jupyter-book build book -W --keep-going > {log} 2>&1"
