"""Training with the paper's protocol (Adam via optax, batched initialisations, qsim re-check)."""

from overparam.train.adam import LEARNING_RATE, TrainResult, qsim_losses, train
from overparam.train.seeds import initial_parameters, seed_sequence

__all__ = ["LEARNING_RATE", "TrainResult", "initial_parameters", "qsim_losses", "seed_sequence", "train"]
