"""Names of the Google backends and of the simulators behind the noisy virtual processor.

A leaf module (no Cirq import): the command line lists them as argument choices when it builds its
parser, which every ``overparam`` command does, and importing ``cirq_google`` costs seconds.
"""

BACKEND_KINDS = ("virtual-noiseless", "virtual-noisy", "engine")
NOISY_SIMULATORS = ("density-matrix", "qsim")
