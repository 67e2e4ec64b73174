"""The one seed scheme reproduces, bit for bit, the streams of the two earlier seed modules.

The expected values were computed by the code before the two modules became one
(``seeding.rng_for`` and ``train.seeds.seed_sequence`` / ``initial_parameters``), so the QFIM
sample points and the training runs' initial parameters of earlier builds are unchanged.
"""

from __future__ import annotations

import numpy as np

from overparam.ansatze import build_ansatz
from overparam.seeding import config_key, config_seed_sequence, derive_seed, rng_for, seed_sequence_for
from overparam.train.seeds import initial_parameters, seed_sequence


def test_keyed_streams_are_those_of_the_earlier_code():
    assert derive_seed(7, "fig2", 4, {"boundary": "open"}) == 3745108124044507186
    assert rng_for(7, "fig2", 4, {"boundary": "open"}).random(3).tolist() == [
        0.021033577059486608, 0.7326494808690707, 0.14419777278768298,
    ]
    assert rng_for(0).integers(0, 2**31, 3).tolist() == [1727180386, 872497406, 141250975]
    # The Generator is the one numpy builds from the derived integer itself.
    ref = np.random.default_rng(derive_seed(3, "x")).random(5)
    assert np.array_equal(rng_for(3, "x").random(5), ref)
    assert seed_sequence_for(3, "x").entropy == derive_seed(3, "x")


def test_configuration_streams_are_those_of_the_earlier_code():
    ss = config_seed_sequence(3, "tfim-hva", 4, 2, {"boundary": "periodic"})
    assert ss.entropy == [3, 876443117, 2092937751, 1815278753, 2192938128]
    assert ss.generate_state(2).tolist() == [1114516128, 663140014]
    assert seed_sequence is config_seed_sequence
    assert config_key("tfim-hva", 4, 2, {"boundary": "periodic"}) == '["tfim-hva", 4, 2, [["boundary", "periodic"]]]'
    ansatz = build_ansatz("tfim-hva", n=4, layers=2, options={"boundary": "periodic"})
    assert initial_parameters(ansatz, 2, seed=5).tolist() == [
        [1.5066531653868802, 0.985557018330098, 2.616528553098133, 1.8902868872398668],
        [0.013757784466435224, 1.318920536692352, 1.8493880482231497, 1.6985864434076101],
    ]
