"""overparam: regenerate the overparametrization study of Larocca et al. (2023) from Cirq circuits."""

__version__ = "0.1.0"
