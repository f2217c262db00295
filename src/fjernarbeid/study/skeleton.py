"""``fjernarbeid init DIR``: a new study's skeleton, ready to run.

The files are package data (``fjernarbeid/study/skeleton/``): a study file, a questionnaire, a
findings catalogue with one example of each analysis and a README. ``targets.csv`` is written from
the package's SSB summary for the questionnaire's age groups and sexes (1 January of the fieldwork
year), and ``data.csv`` holds synthetic answers (:func:`fjernarbeid.study.synthetic.synthesise`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fjernarbeid._cells import neutralise_frame
from fjernarbeid._io import staged_directory, write_text_atomic

FILES = ("study.yaml", "questionnaire.yaml", "catalogue.yaml", "README.md")
# every file the skeleton writes: the package's files, then those made from them
SKELETON_FILES = (*FILES, "targets.csv", "data.csv")


def _targets_csv(study) -> str:
    """Sex and age-group margins of the study's population, from the built-in SSB source."""
    from fjernarbeid.study.targets import source_population
    from fjernarbeid.study.weighting import _codes_of

    inst = study.instrument
    year = inst.fieldwork_start.year if inst.fieldwork_start else 2026
    pop = source_population("ssb-norway-sex-age", min(year, 2026))
    sex = inst.role("sex")
    group = inst.role("age_group")
    lines = ["variable,category,target,label"]
    ranges = [(labels[0], r) for _, labels, r, _ in _codes_of(group, inst)]
    ages = pop[pop["age"].between(min(r[0] for _, r in ranges), max(r[1] for _, r in ranges))]
    for code in inst[sex].codes:
        word = "male" if code.code == 1 else "female"
        lines.append(f"{sex},{code.label('nb')},{int(ages.loc[ages['sex'] == word, 'population'].sum())},")
    for label, (lo, hi) in ranges:
        total = int(ages.loc[ages["age"].between(lo, hi), "population"].sum())
        lines.append(f"{group},{int(lo)}-{int(hi)},{total},{label}")
    return "\n".join(lines) + "\n"


def write_skeleton(directory: str | Path, n: int = 300, seed: int = 1, *, overwrite: bool = False) -> list[Path]:
    """Write the skeleton into ``directory`` and return the files written: all of them or none, and
    without ``overwrite`` none if one of :data:`SKELETON_FILES` is there already."""
    from fjernarbeid.instrument import load_instrument
    from fjernarbeid.study import load_study
    from fjernarbeid.study.model import study_for_instrument
    from fjernarbeid.study.synthetic import synthesise

    directory = Path(directory)
    source = resources.files("fjernarbeid.study").joinpath("skeleton")
    with staged_directory(directory, overwrite=overwrite) as staging:
        for name in FILES:
            write_text_atomic(staging / name, source.joinpath(name).read_text("utf-8"))
        # the study reads its targets file: write it before loading the study's weighting
        bare = study_for_instrument(load_instrument(staging / "questionnaire.yaml"))
        write_text_atomic(staging / "targets.csv", _targets_csv(bare))
        study = load_study(staging)
        frame = synthesise(study, n=n, seed=seed)
        write_text_atomic(staging / "data.csv", neutralise_frame(frame).to_csv(index=False))
    return [directory / name for name in SKELETON_FILES]


__all__ = ["write_skeleton"]
