# supp3: the circuits of the ansätze, drawn from their Cirq definitions (seconds: a local job).


localrules:
    supp3_data,


# --add NAME:N[:k=v,...] for every configured extra circuit, shell-quoted.
SUPP3_ADD = [
    f"{e['ansatz']}:{e['n']}" + (":" + ",".join(f"{k}={v}" for k, v in e["options"].items()) if e["options"] else "")
    for e in config["supp3"]["extra"]
]


rule supp3_data:
    output:
        "results/data/supp3/circuits.json",
    log:
        "logs/supp3_data.log",
    benchmark:
        "benchmarks/out/supp3_data/supp3.tsv"
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=1000,
    params:
        layers=config["supp3"]["layers"],
        extra=" ".join(f"--add {shlex.quote(spec)}" for spec in SUPP3_ADD),
    shell:
        "overparam circuits --layers {params.layers} {params.extra} --out {output} 2> {log}"
