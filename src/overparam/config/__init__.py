"""Checks of the workflow config beyond its JSON schema, run before the DAG starts.

:mod:`~overparam.config.checks` validates against the schema and checks every model reference
(building each model once at its smallest size); :mod:`~overparam.config.geometry` checks the
geometry sections (``spectra``, ``fig1``); :mod:`~overparam.config.studies` checks user studies and
user ansätze. All of them raise :class:`ConfigError` with one line naming the key path and what is
accepted; none simulates.
"""


class ConfigError(ValueError):
    """The config names something that does not exist or cannot be built."""
