"""Open a Google processor: a virtual one (offline) or the real Quantum Engine (by config only).

* ``virtual-noiseless``: ``create_noiseless_virtual_engine_from_latest_templates()``, the published
  device specifications of Google's processors with a noiseless simulator behind the engine API.
* ``virtual-noisy``: ``create_default_noisy_quantum_virtual_machine`` (the noisy quantum virtual
  machine from the processor's median calibration). Its simulator is configurable:
  ``density-matrix`` (default; ``cirq.DensityMatrixSimulator`` evolves the mixed state once and
  samples every repetition from it, so thousands of shots cost one simulation) or ``qsim``
  (``qsimcirq.QSimSimulator``, one noisy trajectory per repetition: faster for many qubits, much
  slower for the thousands of shots per circuit that shot-based QFIMs of small models need).
* ``engine``: ``cirq_google.get_engine(project_id)``. Refused with BadInput before anything is
  sent when the project id or application-default credentials are missing; the check only looks
  at environment variables and files, it never opens a connection.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import cirq

from overparam.errors import BadInput
from overparam.sim.google_kinds import BACKEND_KINDS, NOISY_SIMULATORS  # noqa: F401 (re-exported)


@dataclasses.dataclass(frozen=True)
class BackendSpec:
    """Which Google backend to open (all fields are plain config values)."""

    kind: str = "virtual-noiseless"
    processor_id: str = "rainbow"
    project_id: str | None = None
    noisy_simulator: str = "density-matrix"
    gateset: str | None = None  # name of a compilation target; None = the device's first


@dataclasses.dataclass(frozen=True)
class GoogleBackend:
    """An opened processor: its device (for compiling/validating) and a sampler that runs jobs."""

    spec: BackendSpec
    device: cirq.Device
    sampler: cirq.Sampler

    @property
    def processor_id(self) -> str:
        return self.spec.processor_id


def virtual_processors() -> list[str]:
    """Processor ids that the virtual engines know (device specifications shipped with cirq_google)."""
    from cirq_google.engine.virtual_engine_factory import list_virtual_processors

    return list_virtual_processors()


def _check_spec(spec: BackendSpec) -> None:
    if spec.kind not in BACKEND_KINDS:
        raise BadInput(f"google backend {spec.kind!r} is not accepted; use one of {', '.join(BACKEND_KINDS)}")
    if spec.kind != "engine" and spec.processor_id not in virtual_processors():
        raise BadInput(
            f"processor {spec.processor_id!r} is not a virtual processor; accepted: {', '.join(virtual_processors())}"
        )
    if spec.kind == "virtual-noisy" and spec.noisy_simulator not in NOISY_SIMULATORS:
        raise BadInput(
            f"noisy simulator {spec.noisy_simulator!r} is not accepted; use one of {', '.join(NOISY_SIMULATORS)}"
        )


def credentials_available() -> bool:
    """Whether application-default credentials exist, judged from the environment and files only.

    ``google.auth.default()`` would also probe the GCE metadata server over the network, which an
    offline check must never do.
    """
    env = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if env:
        return Path(env).is_file()
    config_dir = os.environ.get("CLOUDSDK_CONFIG") or str(Path.home() / ".config" / "gcloud")
    return (Path(config_dir) / "application_default_credentials.json").is_file()


def check_engine_access(spec: BackendSpec) -> str:
    """The project id for a real-engine run, or BadInput naming what is missing (no network)."""
    project = spec.project_id or os.environ.get("GOOGLE_CLOUD_PROJECT")
    if not project:
        raise BadInput(
            "the google 'engine' backend needs a project id; set hardware.project_id in the config, "
            "--project-id, or GOOGLE_CLOUD_PROJECT"
        )
    if not credentials_available():
        raise BadInput(
            f"no Google Cloud credentials for project {project!r}; run 'gcloud auth application-default "
            "login' or set GOOGLE_APPLICATION_CREDENTIALS before using the 'engine' backend"
        )
    return project


def open_backend(spec: BackendSpec) -> GoogleBackend:
    """Open the processor named by ``spec`` (module doc); bad names fail before any simulation."""
    _check_spec(spec)
    import cirq_google as cg
    from cirq_google.engine import virtual_engine_factory as factory

    if spec.kind == "virtual-noiseless":
        engine = factory.create_noiseless_virtual_engine_from_latest_templates()
        processor = engine.get_processor(spec.processor_id)
    elif spec.kind == "virtual-noisy":
        if spec.noisy_simulator == "qsim":
            import qsimcirq

            simulator_class: type = qsimcirq.QSimSimulator
        else:
            simulator_class = cirq.DensityMatrixSimulator
        engine = factory.create_default_noisy_quantum_virtual_machine(
            processor_id=spec.processor_id, simulator_class=simulator_class
        )
        processor = engine.get_processor(spec.processor_id)
    else:
        project = check_engine_access(spec)
        engine = cg.get_engine(project)  # pragma: no cover - needs credentials and the network
        processor = engine.get_processor(spec.processor_id)  # pragma: no cover
    return GoogleBackend(spec, processor.get_device(), processor.get_sampler())
