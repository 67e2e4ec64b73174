"""Geometry of the QNN's state manifold: QFIM, Hessian, spectra and ranks."""
