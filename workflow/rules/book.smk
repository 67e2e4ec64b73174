# The Jupyter Book: pages rendered from the tables, then built offline with warnings as errors.


BOOK_FIGURES = ["supp2"] + (["hardware"] if HARDWARE_ENABLED else [])


rule book_pages:
    input:
        tables=expand("results/tables/{fig}.csv", fig=BOOK_FIGURES),
        figures=expand("results/figures/{fig}.png", fig=BOOK_FIGURES),
    output:
        "book/generated/pages.json",
    params:
        figures=" ".join(BOOK_FIGURES),
    log:
        "logs/book_pages.log",
    shell:
        "overparam book render --figures {params.figures} --book book"
        " --config-hash {CONFIG_HASH} 2> {log}"


rule book:
    input:
        "book/generated/pages.json",
    output:
        "book/_build/html/index.html",
    log:
        "logs/book.log",
    shell:
        "jupyter-book build book -W --keep-going > {log} 2>&1"
