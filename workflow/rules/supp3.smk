# supp3: the circuits of the ansätze, drawn from their Cirq definitions.
import shlex


def supp3_extra_flags():
    """--add NAME:N[:k=v,...] for every configured extra circuit, shell-quoted."""
    flags = []
    for extra in config["supp3"].get("extra", []):
        opts = ",".join(f"{k}={v}" for k, v in (extra.get("options") or {}).items())
        spec = f"{extra['ansatz']}:{extra['n']}" + (f":{opts}" if opts else "")
        flags.append(f"--add {shlex.quote(spec)}")
    return " ".join(flags)


rule supp3_data:
    output:
        "results/data/supp3/circuits.json",
    params:
        layers=config["supp3"]["layers"],
        extra=supp3_extra_flags(),
    log:
        "logs/supp3_data.log",
    benchmark:
        "benchmarks/out/supp3_data/supp3.tsv"
    shell:
        "overparam circuits --layers {params.layers} {params.extra} --out {output} 2> {log}"


rule supp3_table:
    input:
        "results/data/supp3/circuits.json",
    output:
        "results/tables/supp3.csv",
    log:
        "logs/supp3_table.log",
    shell:
        "overparam table supp3 {input} --out {output} 2> {log}"


rule supp3_figure:
    input:
        "results/tables/supp3.csv",
    output:
        png="results/figures/supp3.png",
        pdf="results/figures/supp3.pdf",
    log:
        "logs/supp3_figure.log",
    shell:
        "overparam figure supp3 {input} --out results/figures/supp3 2> {log}"
