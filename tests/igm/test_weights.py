"""Every default weight has a source and an uncertainty range."""

from __future__ import annotations

from igm.determinants import KUNNEN, WILLEN
from igm.weights import DOMAINS, domain_weights, sources


def test_every_weight_has_range_and_known_source() -> None:
    known = sources()
    for domain in DOMAINS:
        w = domain_weights(domain)
        assert set(w.willen) == set(WILLEN) and set(w.kunnen) == set(KUNNEN)
        for weight in [*w.willen.values(), *w.kunnen.values(), w.base_rate, w.ceiling]:
            assert weight.low < weight.value < weight.high
            assert weight.sources and set(weight.sources) <= set(known)
            assert weight.note
        assert 0 < w.base_rate.high < w.ceiling.low < 1
        assert w.curve_exponent >= 1


def test_normalised_shares_sum_to_one_per_block() -> None:
    for domain in DOMAINS:
        shares = domain_weights(domain).normalised_values()
        assert abs(sum(shares[k] for k in WILLEN) - 1) < 1e-12
        assert abs(sum(shares[k] for k in KUNNEN) - 1) < 1e-12


def test_unverified_figures_are_marked() -> None:
    """Numbers the domain reference marks unverified must say so where they are used."""
    for domain in DOMAINS:
        w = domain_weights(domain)
        for weight in w.willen.values():
            if "r ≈" in weight.note:
                assert "[unverified figure]" in weight.note
