# overparam: regenerate "Theory of overparametrization in quantum neural networks".
#   snakemake --cores all                                # paper-faithful config/config.yaml
#   snakemake --cores all --configfile config/quick.yaml  # small smoke run


configfile: "config/config.yaml"


# Each rule file defines its own globals; later files read earlier ones' (tables.smk and figures.smk
# name every experiment's inputs, book.smk every page), so the order below matters.
include: "workflow/rules/common.smk"
include: "workflow/rules/dla.smk"
include: "workflow/rules/qfim_sweeps.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/failures.smk"
include: "workflow/rules/ext1.smk"
include: "workflow/rules/supp3.smk"
include: "workflow/rules/hardware.smk"
include: "workflow/rules/geometry.smk"
include: "workflow/rules/beyond.smk"
include: "workflow/rules/large.smk"
include: "workflow/rules/studies.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/book.smk"


rule all:
    default_target: True
    input:
        "book/_build/html/index.html",
