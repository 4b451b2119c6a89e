from __future__ import annotations

import pytest
from sqlalchemy import select

from practice import clock, db
from practice.exercises import library
from practice.exercises import services as exercises
from practice.exercises.fields import SpecError, check_spec
from practice.exercises.models import Exercise, ExerciseVersion, Mode
from practice.framework import AREAS
from practice.homework import services as homework
from tests.factories import CoupleFactory, make_assignment, partner_with_login


def test_the_built_in_library_covers_every_framework_area(db_session):
    result = library.sync_library()
    assert len(result.added) >= 14
    versions = db.session.scalars(select(ExerciseVersion)).all()
    assert {v.area for v in versions} == {area.key for area in AREAS}
    assert {v.mode for v in versions} == set(Mode)
    slugs = {v.exercise.slug for v in versions}
    for needed in (
        "daily-check-in",
        "i-statements",
        "summarise-first",
        "validate-the-feeling",
        "open-questions",
        "pause-agreement",
        "boundary-agreement",
        "budget-meeting",
        "parenting-plan",
        "repair-script",
        "promises-kept",
        "daily-connection",
        "naming-the-gap",
        "explore-a-local-service",
    ):
        assert needed in slugs
    for version in versions:
        assert version.title and version.purpose and version.instructions and version.fields


def test_syncing_again_changes_nothing(db_session):
    library.sync_library()
    again = library.sync_library()
    assert again.added == [] and again.updated == []
    assert len(again.unchanged) >= 14


def test_a_changed_library_entry_becomes_a_new_version_and_old_work_is_untouched(
    db_session, monkeypatch
):
    library.sync_library()
    exercise = db.session.scalar(select(Exercise).where(Exercise.slug == "promises-kept"))
    first = exercises.current_version(exercise)
    couple = CoupleFactory()
    user = partner_with_login(couple, 1)
    assignment = make_assignment(couple, first)
    homework.save_answers(
        assignment,
        couple.partners[0],
        {"promise": "Home by six", "kept": True},
        visibility=None,
        submit=True,
        today=clock.today(),
        actor=user,
    )
    before = (assignment.version_id, first.title, [c.answers for c in assignment.completions])

    original = library.read_library

    def changed():
        entries = original()
        for entry in entries:
            if entry["slug"] == "promises-kept":
                entry["title"] = "Promises kept, every day"
        return entries

    monkeypatch.setattr(library, "read_library", changed)
    result = library.sync_library()
    assert result.updated == ["promises-kept"]
    db.session.expire_all()
    assert exercises.current_version(exercise).title == "Promises kept, every day"
    assert exercise.current_number == 2
    after = (
        assignment.version_id,
        assignment.version.title,
        [c.answers for c in assignment.completions],
    )
    assert after == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([], "at least one field"),
        ([{"key": "a", "type": "essay"}], "unknown type"),
        ([{"key": "a", "type": "checklist"}], "needs options"),
        ([{"key": "a", "type": "rating"}, {"key": "a", "type": "rating"}], "repeated"),
    ],
)
def test_unusable_field_definitions_are_refused(fields, message):
    with pytest.raises(SpecError, match=message):
        check_spec(fields)
