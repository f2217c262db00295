"""Multistage designs with a finite population correction at every stage, and PPS sampling
without replacement (Brewer, Overton, Hartley-Rao, exact joint probabilities), against R's survey
on its own example data mu284, apiclus2 and election (tests/fixtures/r/parity.R)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.survey import svyby, svydesign, svymean, svyratio, svytotal
from fjernarbeid.survey.design import LonelyStratumError

REL = 1e-10


@pytest.fixture(scope="module")
def model_output():
    """tests/fixtures/r/model_output.R's values."""
    import json
    from pathlib import Path

    return json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "r" / "model_output.json").read_text())


@pytest.fixture(scope="module")
def mu284(parity):
    return svydesign(parity.frame("mu284"), cluster=["id1", "id2"], fpc=["n1", "n2"])


def test_two_stage_total_and_mean_of_mu284(mu284, parity_ref):
    ref = parity_ref["multistage"]
    np.testing.assert_allclose(mu284.weights, ref["mu284_weights"], rtol=1e-14)  # (N1/n1)·(N2/n2)
    total, mean = svytotal(mu284, "y1"), svymean(mu284, "y1")
    assert (total.estimate, total.se) == pytest.approx((ref["mu284_total"]["estimate"], 2274.2547008733), rel=REL)
    assert total.se == pytest.approx(ref["mu284_total"]["se"], rel=REL)
    assert (mean.estimate, mean.se) == pytest.approx((ref["mu284_mean"]["estimate"], ref["mu284_mean"]["se"]),
                                                    rel=REL)


def test_the_first_stage_alone_is_the_ultimate_cluster_variance(mu284, parity, parity_ref):
    ultimate = svydesign(parity.frame("mu284"), mu284.weights, cluster="id1", fpc="n1")
    assert svytotal(ultimate, "y1").se == pytest.approx(parity_ref["multistage"]["mu284_ultimate_total"]["se"],
                                                        rel=REL)


def test_a_domain_of_a_two_stage_design(mu284, parity_ref):
    domain = mu284.domain(mu284.data["id1"].isin([19, 45]).to_numpy())
    assert svytotal(domain, "y1").se == pytest.approx(parity_ref["multistage"]["mu284_domain"]["se"], rel=REL)


def test_two_stage_cluster_sample_of_schools(parity, parity_ref):
    ref = parity_ref["multistage"]
    clus2 = svydesign(parity.frame("apiclus2"), cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    assert svytotal(clus2, "enroll").se == pytest.approx(ref["clus2_total"]["se"], rel=REL)  # enroll has NA
    assert svymean(clus2, "api00").se == pytest.approx(ref["clus2_mean"]["se"], rel=REL)
    by = svyby(clus2, svymean, "stype", "api00")
    np.testing.assert_allclose(by.se, ref["clus2_by_stype"]["se"], rtol=REL)


def test_multistage_arguments_are_checked(parity):
    with pytest.raises(ValueError, match="cluster column for every stage"):
        svydesign(parity.frame("mu284"), cluster=["id1"], fpc=["n1", "n2"])


@pytest.fixture(scope="module")
def election(parity):
    return parity.frame("election_pps")


def pps_designs(election, parity):
    joint = pd.read_csv(parity.DATA / "election_jointprob.csv").to_numpy()
    p2bar = float((election["p"] ** 2).sum() / len(election))
    return {
        "brewer": svydesign(election, fpc="p", pps="brewer"),
        "overton": svydesign(election, fpc="p", pps="overton"),
        "overton_yg": svydesign(election, fpc="p", pps="overton", variance="YG"),
        "hr_psum": svydesign(election, fpc="p", pps="hartley-rao", p2bar=p2bar),
        "hr": svydesign(election, fpc="p", pps="hartley-rao"),
        "exact": svydesign(election, fpc="p", pps=joint),
        "exact_yg": svydesign(election, fpc="p", pps=joint, variance="YG"),
        "with_replacement": svydesign(election, 1 / election["p"].to_numpy()),
    }


def test_pps_without_replacement_equals_r_for_every_approximation(election, parity, parity_ref):
    for name, design in pps_designs(election, parity).items():
        ref = parity_ref["pps"][name]
        totals = [svytotal(design, v) for v in ("Bush", "Kerry")]
        np.testing.assert_allclose([t.estimate for t in totals], ref["total"]["estimate"], rtol=1e-12, err_msg=name)
        np.testing.assert_allclose([t.se for t in totals], ref["total"]["se"], rtol=REL, err_msg=name)
        assert svymean(design, "Bush").se == pytest.approx(ref["mean"]["se"], rel=REL), name
        assert svyratio(design, "Bush", "votes").se == pytest.approx(ref["ratio"]["se"], rel=REL), name


def test_brewer_standard_error_of_the_bush_total(election):
    assert svytotal(svydesign(election, fpc="p", pps="brewer"), "Bush").se == pytest.approx(2447629, rel=1e-4)


def test_pps_arguments_are_checked(election):
    with pytest.raises(ValueError, match="pps must be one of"):
        svydesign(election, fpc="p", pps="sampford")
    with pytest.raises(ValueError, match="inclusion probabilities as fpc"):
        svydesign(election, pps="brewer")
    with pytest.raises(ValueError, match="40 × 40"):
        svydesign(election, fpc="p", pps=np.eye(3))


def test_domains_of_a_brewer_design(election, parity_ref):
    design = svydesign(election, fpc="p", pps="brewer")
    large = (election["votes"] > 100000).to_numpy()
    for name, mask in (("large", large), ("small", ~large)):
        ref = parity_ref["pps"]["brewer_domains"][name]
        got = svytotal(design.domain(mask), "Bush")
        assert (got.estimate, got.se) == pytest.approx((ref["estimate"], ref["se"]), rel=REL)


def test_a_lonely_unit_at_stage_two_is_named_by_its_stage_and_first_stage_cluster(parity, model_output):
    """District 15 of apiclus2 has one school sampled; with 5 schools in it (N2) its stage-2 variance
    cannot be estimated. R: "Stratum (1.15) has only one PSU at stage 2" (tests/fixtures/r/model_output.R).
    The message names the stage, the district by its value, the row, and the option to choose."""
    frame = parity.frame("apiclus2").assign(N2=lambda d: d["fpc2"].where(d["dnum"] != 15, 5))
    assert "at stage 2" in model_output["stage2_error"]
    with pytest.raises(LonelyStratumError) as raised:
        svymean(svydesign(frame, cluster=["dnum", "snum"], fpc=["fpc1", "N2"]), "api00")
    message = str(raised.value)
    assert message.startswith("at stage 2 of the design, cluster 15 of 'dnum' (data row 1) has only one "
                              "stage-2 unit ('snum')"), message
    assert "--lonely-psu" in message and "(in sorted order)" not in message
    # with first-stage strata, the stratum too; with strata at stage 2, that stratum within the cluster
    with pytest.raises(LonelyStratumError, match=r"cluster 15 of 'dnum' in stratum 'E' of 'stype' \(data row 1\)"):
        svymean(svydesign(frame, cluster=["dnum", "snum"], fpc=["fpc1", "N2"], strata=["stype", None], nest=True),
                "api00")
    with pytest.raises(LonelyStratumError, match=r"the stage-2 stratum 'E' of 'stype' within cluster 15 of 'dnum'"):
        svymean(svydesign(frame, cluster=["dnum", "snum"], fpc=["fpc1", "N2"], strata=[None, "stype"]), "api00")
    # the choice R offers works as there (adjust: the lonely unit compared with zero)
    assert np.isfinite(svymean(svydesign(frame, cluster=["dnum", "snum"], fpc=["fpc1", "N2"], lonely_psu="adjust"),
                               "api00").se)
