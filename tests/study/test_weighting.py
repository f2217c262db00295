"""A study's weighting: categories matched by label and range (never by position), the target table
must cover the sample, a declared rule for unknown values, and the methods text of what was done."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.errors import ComputationError, DataValidationError, InputFileError, InstrumentError
from fjernarbeid.instrument import instrument_from_dict
from fjernarbeid.study import WeightingSpec, describe, load_study, weight
from fjernarbeid.study.weighting import parse_range

SURVEY = {
    "id": "small-survey",
    "title": {"nn": "Lita undersøking"},
    "fieldwork": {"start": "2026-03-01", "end": "2026-03-20"},
    "target_population": {"min_age": 18, "max_age": 66, "age_reference_year": 2026},
    "roles": {"sex": "kjonn", "age": "alder", "age_group": "aldersgruppe"},
    "questions": [
        {"name": "kjonn", "type": "single", "text": {"nn": "Kjønn"},
         "codes": [{"code": 1, "nn": "Kvinne", "en": "Woman"}, {"code": 2, "nn": "Mann", "en": "Man"},
                   {"code": 9, "nn": "Vil ikkje svare", "missing": True}]},
        {"name": "fodd", "type": "integer", "range": "birth_year", "text": {"nn": "Fødd"}},
    ],
    "derived": [
        {"name": "alder", "kind": "age", "source": "fodd", "label": {"nn": "Alder"}},
        # codes in the opposite order of the targets' rows: matching must go by range, not position
        {"name": "aldersgruppe", "kind": "bins", "source": "alder", "label": {"nn": "Aldersgruppe"},
         "bins": [{"code": 1, "min": 45, "max": 67, "nn": "45-66 år"}, {"code": 2, "min": 17, "max": 44, "nn": "18-44 år"}]},
    ],
}


@pytest.fixture
def small():
    return instrument_from_dict(SURVEY)


def frame(sexes, births) -> pd.DataFrame:
    return pd.DataFrame({"kjonn": pd.array(sexes, dtype="Int64"), "fodd": pd.array(births, dtype="Int64")})


def targets_file(tmp_path, text: str):
    path = tmp_path / "targets.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_range_is_read_with_or_without_a_unit_and_open_at_either_end():
    assert parse_range("25-34") == (25, 34) and parse_range("25–29 år") == (25, 29)
    assert parse_range("67+") == (67, float("inf")) and parse_range("-24") == (float("-inf"), 24)
    assert parse_range("Kvinne") is None


def test_categories_are_matched_by_label_and_range_and_the_margins_are_met(small, tmp_path):
    data = frame([1, 1, 2, 2, 2, 1], [1990, 1960, 1985, 1970, 2000, 1975])
    path = targets_file(tmp_path, "variable,category,target\nkjonn,Mann,600\nkjonn,kvinne,400\n"
                                  "aldersgruppe,18-44,700\naldersgruppe,45-66,300\n")
    done = weight(data, small, WeightingSpec(method="rake", targets_file=path))
    w = done.weights.to_numpy()
    assert w.sum() == pytest.approx(1000)
    assert w[data["kjonn"].to_numpy() == 2].sum() == pytest.approx(600, rel=1e-3)
    young = done.frame["aldersgruppe"].to_numpy() == 2  # 18-44 is code 2: matched by its range
    assert w[young].sum() == pytest.approx(700, rel=1e-3)


def test_a_number_is_grouped_by_the_target_ranges_which_must_cover_the_sample(small, tmp_path):
    data = frame([1, 2, 1, 2], [1990, 1960, 2004, 1975])  # ages 36, 66, 22, 51
    path = targets_file(tmp_path, "variable,category,target\nalder,18-39,500\nalder,40-66,500\n")
    done = weight(data, small, WeightingSpec(method="poststratify", targets_file=path))
    assert done.weights.sum() == pytest.approx(1000)
    narrow = targets_file(tmp_path, "variable,category,target\nalder,25-39,500\nalder,40-66,500\n")
    with pytest.raises(ComputationError, match=r"cover 25–66, but 1 respondent\(s\) have alder outside it \(22–22"):
        weight(data, small, WeightingSpec(method="poststratify", targets_file=narrow))


def test_a_target_no_category_matches_is_an_error_naming_the_codes(small, tmp_path):
    path = targets_file(tmp_path, "variable,category,target\nkjonn,Gut,500\nkjonn,Kvinne,500\n")
    with pytest.raises(ComputationError, match="kjonn = 'Gut' .*matches no category of kjonn .*1 = Kvinne"):
        weight(frame([1, 2], [1990, 1980]), small, WeightingSpec(method="rake", targets_file=path))


def test_a_targets_file_names_line_and_column_of_its_problems(tmp_path):
    from fjernarbeid.study.targets import read_targets_csv

    with pytest.raises(InputFileError, match=r"line 3, column target: 'mange' is not a number"):
        read_targets_csv(targets_file(tmp_path, "variable,category,target\nkjonn,Mann,5\nkjonn,Kvinne,mange\n"))
    with pytest.raises(InputFileError, match="missing target"):
        read_targets_csv(targets_file(tmp_path, "variable,category\nkjonn,Mann\n"))
    with pytest.raises(InputFileError, match="line 3: kjonn = mann has a target already on line 2"):
        read_targets_csv(targets_file(tmp_path, "variable,category,target\nkjonn,Mann,5\nkjonn,mann,6\n"))


@pytest.fixture
def with_unknown():
    return frame([1, 2, 9, 1, 2, 9, 1, 2], [1990, 1960, 1985, 1970, 2000, 1975, 1980, 1965])


SEX_TARGETS = "variable,category,target\nkjonn,Kvinne,500\nkjonn,Mann,500\n"


def test_unknown_values_are_an_error_by_default_naming_the_rows(small, with_unknown, tmp_path):
    spec = WeightingSpec(method="poststratify", targets_file=targets_file(tmp_path, SEX_TARGETS))
    with pytest.raises(DataValidationError, match=r"kjonn has values without a weighting target \(Vil ikkje svare\) at rows 3, 6"):
        weight(with_unknown, small, spec)


@pytest.mark.parametrize("rule", ["error", "exclude", "impute"])
def test_a_valid_category_without_a_target_is_an_error_naming_its_label(small, with_unknown, tmp_path, rule):
    # only women have a target: the men answered validly, so no rule for unknown values may drop or move them
    spec = WeightingSpec(method="poststratify", unknown=rule,
                         targets_file=targets_file(tmp_path, "variable,category,target\nkjonn,Kvinne,500\n"))
    with pytest.raises(ComputationError, match=r"no category for kjonn = Mann \(3 respondent\(s\)\)"):
        weight(with_unknown, small, spec)


def test_unknown_values_excluded_are_counted_and_the_rest_meets_the_targets(small, with_unknown, tmp_path):
    spec = WeightingSpec(method="poststratify", targets_file=targets_file(tmp_path, SEX_TARGETS), unknown="exclude")
    done = weight(with_unknown, small, spec)
    assert done.unknown_count == 2 and len(done.frame) == 6 and done.kept.tolist() == [1, 1, 0, 1, 1, 0, 1, 1]
    assert done.weights.sum() == pytest.approx(1000)
    assert "2 respondentar utan gyldig verdi på ein vektvariabel er haldne utanfor analysen" in describe(done, small, "nn")


def test_unknown_values_as_their_own_category_keep_their_share_and_the_total(small, with_unknown, tmp_path):
    spec = WeightingSpec(method="poststratify", targets_file=targets_file(tmp_path, SEX_TARGETS), unknown="own_category")
    done = weight(with_unknown, small, spec)
    w = done.weights.to_numpy()
    assert w.sum() == pytest.approx(1000)
    assert w[with_unknown["kjonn"].to_numpy() == 9].sum() == pytest.approx(1000 * 2 / 8)
    assert done.frame["kjonn"].tolist() == with_unknown["kjonn"].tolist()  # the answers stay as given


def test_unknown_values_imputed_go_to_the_largest_population_category(small, with_unknown, tmp_path):
    path = targets_file(tmp_path, "variable,category,target\nkjonn,Kvinne,300\nkjonn,Mann,700\n")
    done = weight(with_unknown, small, WeightingSpec(method="poststratify", targets_file=path, unknown="impute"))
    assert done.weights.sum() == pytest.approx(1000)
    group = done.frame[done.frame.columns[-1]]  # the weighting column: the unknown counted as men (code 2)
    assert group[with_unknown["kjonn"].to_numpy() == 9].tolist() == [2, 2]


def test_no_weighting_is_said_in_the_methods_text(small):
    done = weight(frame([1, 2], [1990, 1980]), small, WeightingSpec(method="none"))
    assert done.weights.tolist() == [1.0, 1.0]
    assert describe(done, small, "en").startswith("The data are not weighted")
    assert describe(done, small, "nn").startswith("Dataa er ikkje vekta")


def test_the_national_source_sums_single_years_for_the_study_s_own_age_groups(small):
    """Men and women (matched by label, whatever their codes) × the age groups (by range)."""
    data = frame([1, 2, 1, 2], [1990, 1960, 1970, 1995])
    spec = WeightingSpec(method="poststratify", variables=("sex", "age_group"), source="ssb-norway-sex-age", year=2026)
    done = weight(data, small, spec)
    from fjernarbeid.study.targets import source_population

    pop = source_population("ssb-norway-sex-age", 2026)
    women_18_44 = pop[(pop.sex == "female") & pop.age.between(18, 44)].population.sum()
    weights = done.weights.to_numpy()
    mask = (data["kjonn"] == 1).to_numpy() & (done.frame["aldersgruppe"] == 2).to_numpy()
    assert weights[mask].sum() == pytest.approx(women_18_44)
    assert done.weights.sum() == pytest.approx(pop[pop.age.between(18, 66)].population.sum())


def test_a_source_that_does_not_cover_the_age_groups_is_an_error(small):
    young = replace(small, derived=(small.derived[0], replace(small.derived[1], bins=(
        replace(small.derived[1].bins[0], min=10, max=17), replace(small.derived[1].bins[1], min=18, max=66)))),
        min_age=None, max_age=None)
    spec = WeightingSpec(method="rake", variables=("sex", "age_group"), source="ssb-norway-sex-age", year=2026)
    with pytest.raises(ComputationError, match="covers ages 15–74, but the weighting group aldersgruppe = 1 spans 10–17"):
        weight(frame([1, 2], [2012, 1980]), young, spec)


def test_a_missing_role_is_an_error_saying_what_to_declare(small):
    bare = replace(small, roles={})
    spec = WeightingSpec(method="rake", variables=("sex",), source="ssb-norway-sex-age", year=2026)
    with pytest.raises(InstrumentError, match=r"neither a question, a derived variable nor a role"):
        weight(frame([1], [1990]), bare, spec)
    with pytest.raises(InstrumentError, match=r"declare it with `roles: \{sex: <question name>\}`"):
        bare.role("sex")


def test_the_2025_study_is_weighted_exactly_as_before(demo_frame):
    """The study file's weighting (SSB's single years summed for its age groups) gives the weights of
    the earlier built-in table, to the last bit."""
    from fjernarbeid.survey.weighting import weight_study

    study = load_study()
    done = weight(demo_frame, study.instrument, study.weighting)
    before = weight_study(demo_frame, study.instrument)
    assert np.array_equal(done.weights.to_numpy(), before.weights.to_numpy())
    text = describe(done, study.instrument, "nb")
    assert text.startswith("Dataene er poststratifisert etter kjønn × aldersgruppe (25–29, 30–34, 35–39, 40–44, "
                           "45–49, 50–54, 55–60; alder = 2025 − fødselsår) til SSBs befolkningstall for hele landet "
                           "1. januar 2025 (tabell 07459) (14 celler).")


@pytest.fixture(scope="module")
def hardanger():
    from pathlib import Path

    from fjernarbeid.data.derive import derive
    from fjernarbeid.study.synthetic import synthesise

    study = load_study(Path(__file__).resolve().parents[1] / "fixtures" / "studies" / "hardanger_remote")
    return study, derive(synthesise(study, 300, seed=3), study.instrument)


def test_a_regional_study_is_raked_to_ssb_by_municipality_sex_and_age(hardanger):
    """Municipalities matched by their numbers (the codes) or names (the labels), sexes by their labels,
    age groups by their ranges limited to the study's ages 20-66."""
    from fjernarbeid.study.targets import source_population

    study, data = hardanger
    spec = WeightingSpec(method="rake", variables=("municipality", "sex", "aldersgruppe"),
                         source="ssb-municipality-sex-age", year=2026, unknown="exclude")
    done = weight(data, study.instrument, spec)
    pop = source_population("ssb-municipality-sex-age", 2026)
    adults = pop[pop.age.between(20, 66)]
    assert done.weights.sum() == pytest.approx(adults.population.sum())
    kvam = (done.frame["kommune"] == 4622).to_numpy()
    assert done.weights[kvam].sum() == pytest.approx(adults[adults.municipality == "4622"].population.sum(), rel=1e-3)
    # "Vil ikkje svare" (a don't-know code) cannot be weighted by sex: left out and counted
    assert done.unknown_count == int((data["kjonn"] == 3).sum()) > 0
    assert "frå SSB sine folketal etter kommune 1. januar 2026 (tabell 07459)" in describe(done, study.instrument, "nn")


def test_linear_calibration_meets_the_totals(hardanger):
    study, data = hardanger
    spec = WeightingSpec(method="linear", variables=("municipality", "aldersgruppe"),
                         source="ssb-municipality-sex-age", year=2026)
    done = weight(data, study.instrument, spec)
    margins = done.report.margins
    assert np.allclose(margins["weighted"], margins["target"])
    assert describe(done, study.instrument, "en").startswith("The data are calibrated (linear GREG calibration)")


def test_ages_from_birth_years_without_a_reference_year_say_where_an_xlsform_gives_it(tmp_path):
    """An ordinary XLSForm has no fieldwork dates: the message names the sheet and row that give the year."""
    bare = instrument_from_dict({"id": "kontor", "roles": {"sex": "kjonn", "birth_year": "fodd"}, "questions": [
        {"name": "kjonn", "type": "single", "codes": [{"code": 1, "nn": "Kvinne"}, {"code": 2, "nn": "Mann"}]},
        {"name": "fodd", "type": "integer"}]})
    path = targets_file(tmp_path, "variable,category,target\nage,18-44,700\nage,45-66,300\n")
    with pytest.raises(InstrumentError, match=r"an XLSForm a sheet fj_instrument with the rows key,value and "
                                              r"age_reference_year,YEAR"):
        weight(frame([1, 2], [1990, 1970]), bare, WeightingSpec(method="poststratify", targets_file=path))


def test_the_methods_text_of_raking_names_its_margins_in_words(tmp_path):
    """Raking meets each margin by itself: "kjønn og alder", not the cross "kjønn × age"; the age an XLSForm
    study computes from the birth year is named as such."""
    inst = instrument_from_dict({"id": "kontor", "target_population": {"age_reference_year": 2026},
                                 "roles": {"sex": "kjonn", "birth_year": "fodd"}, "questions": [
        {"name": "kjonn", "type": "single", "text": {"nn": "Kjønn"},
         "codes": [{"code": 1, "nn": "Kvinne"}, {"code": 2, "nn": "Mann"}]},
        {"name": "fodd", "type": "integer", "text": {"nn": "Fødd"}}]})
    path = targets_file(tmp_path, "variable,category,target\nkjonn,Kvinne,500\nkjonn,Mann,500\n"
                                  "age,18-44,700\nage,45-66,300\n")
    done = weight(frame([1, 2, 1, 2], [1990, 1970, 1975, 1995]), inst, WeightingSpec(method="rake", targets_file=path))
    text = describe(done, inst, "nn")
    assert "til marginane for kjønn og alder (alder = 2026 − fødselsår) frå" in text


def test_a_cross_typed_with_the_letter_x_gets_a_hint(small, tmp_path):
    path = targets_file(tmp_path, "variable,category,target\nkjonnxaldersgruppe,Mann|18-44,600\n")
    with pytest.raises(InstrumentError, match=r"a cross of kjonn and aldersgruppe is written kjonn×aldersgruppe"):
        weight(frame([1, 2], [1990, 1970]), small, WeightingSpec(method="poststratify", targets_file=path))


@pytest.mark.parametrize("command", ["weight", "report", "export", "tab"])
def test_a_cell_of_the_sample_without_a_target_names_its_lines_of_the_file(coworking_study, run_main, tmp_path,
                                                                           command):
    """Post-stratified to municipality × age ranges with a cell left out of the targets: the error named
    'kommune=2, alder (weighting groups)='60+' … e.g. rows 12, 30' — positions in the data (after the screened
    out were dropped), not the lines of the file, and the internal name of the grouped age."""
    import csv

    targets = (coworking_study.folder / "targets.csv").read_text("utf-8").splitlines()
    cut = tmp_path / "targets.csv"
    cut.write_text("\n".join(line for line in targets if "kinn|60+" not in line) + "\n", encoding="utf-8")
    with coworking_study.export.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    lines = [(i + 2, r["_id"]) for i, r in enumerate(rows)
             if r["om_deg/kommune"] == "kinn" and int(r["om_deg/alder"]) >= 60]
    args = {"weight": ("--out", tmp_path / "w.csv"), "report": ("--out", tmp_path / "r", "--format", "json"),
            "export": ("--to", tmp_path / "x.sav"), "tab": ("kjonn", "--study-weighting")}[command]
    first = (coworking_study.export,) if command != "tab" else (coworking_study.export,)
    ran = run_main(command, *first, *args, "--study", coworking_study.study, "--targets", cut)
    assert ran.code == 5, ran.stdout + ran.stderr
    message = " ".join(ran.stderr.split())
    assert f"line {lines[0][0]} (id {lines[0][1]})" in message and f"({len(lines)} in all)" in message, message
    assert "weighting groups" not in message and "rows " not in message
    assert "Kinn, 60+" in message, message
