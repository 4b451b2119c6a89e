"""PDF reports from the command line, and the report benchmark."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from practice import clock, db, migrate
from practice.appointments.models import ProgressNote
from practice.cli.context import app_context, make_app, write_report
from practice.couples.models import Couple
from practice.db import get_database
from practice.directory.search import services_by_id
from practice.exercises.models import Exercise
from practice.exercises.services import current_version
from practice.reporting import benchmark, notes, printables, progress, services, summary


@click.group("report")
def report_group() -> None:
    """PDF reports."""


@report_group.command("note")
@click.argument("note_id", type=int)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def report_note(note_id: int, output: Path) -> None:
    """Write a signed progress note as a PDF."""
    with app_context():
        note = db.session.get(ProgressNote, note_id)
        if note is None or not note.is_signed:
            raise click.ClickException(f"No signed note has the id {note_id}.")
        report = notes.note_report(note)
        services.record(report, None, note_id, couple_id=note.couple_id)
        db.session.commit()
    write_report(output, report)


def _couple_report(kind: str, couple_id: int, start, end, output: Path) -> None:
    with app_context():
        couple = db.session.get(Couple, couple_id)
        if couple is None:
            raise click.ClickException(f"No couple has the id {couple_id}.")
        start = start.date() if start else couple.intake_date
        end = end.date() if end else clock.today()
        build = progress.progress_context if kind == "progress" else summary.summary_context
        context, extra = build(couple, start, end)
        report = services.build(kind, output.name, context, extra)
        services.record(report, None, couple_id, (start, end), couple_id=couple_id)
        db.session.commit()
    write_report(output, report)


@report_group.command("progress")
@click.argument("couple_id", type=int)
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="first day (intake)")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="last day (today)")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def report_progress(couple_id: int, start, end, output: Path) -> None:
    """Write the couple progress report for a period."""
    _couple_report("progress", couple_id, start, end, output)


@report_group.command("summary")
@click.argument("couple_id", type=int)
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="first day (intake)")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="last day (today)")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def report_summary(couple_id: int, start, end, output: Path) -> None:
    """Write the summary to give the couple, for a period."""
    _couple_report("summary", couple_id, start, end, output)


@report_group.command("benchmark")
@click.option("--weeks", default=52, show_default=True, type=click.IntRange(1, 104))
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1, 20))
def report_benchmark(weeks: int, runs: int) -> None:
    """Time the progress report of a long case (in a throwaway database) against WeasyPrint."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/benchmark.db"
        migrate.upgrade(url)
        app = make_app(PRACTICE_ENV="testing", DATABASE_URL=url)
        try:
            with app.app_context():
                couple_id = benchmark.build_case(weeks)
                db.session.commit()
                figures = benchmark.run(couple_id, runs)
        finally:
            get_database(app).engine.dispose()
    ratio = figures["report_s"] / figures["weasyprint_s"]
    click.echo(
        f"progress report, {weeks} weekly appointments: {figures['report_s']:.2f} s "
        f"(median of {runs}); WeasyPrint alone on the same HTML: "
        f"{figures['weasyprint_s']:.2f} s; ratio {ratio:.2f}; "
        f"{figures['pages_bytes']} bytes"
    )


@report_group.command("worksheet")
@click.argument("exercise_id", type=int)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def report_worksheet(exercise_id: int, output: Path) -> None:
    """Write a printable blank form of a library exercise."""
    with app_context():
        exercise = db.session.get(Exercise, exercise_id)
        if exercise is None:
            raise click.ClickException(f"No exercise has the id {exercise_id}.")
        report = printables.worksheet(current_version(exercise))
        services.record(report, None, exercise_id)
        db.session.commit()
    write_report(output, report)


@report_group.command("handout")
@click.option("--service", "hsds_ids", multiple=True, required=True, help="HSDS id; repeat it")
@click.option("--for", "for_whom", default="Local services", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def report_handout(hsds_ids: tuple[str, ...], for_whom: str, output: Path) -> None:
    """Write a handout of chosen directory services."""
    with app_context():
        found = services_by_id(list(hsds_ids))
        missing = [hsds_id for hsds_id in hsds_ids if hsds_id not in found]
        if missing:
            raise click.ClickException(f"Not in the directory: {', '.join(missing)}")
        context = printables.handout_context(
            [found[i] for i in hsds_ids], for_whom, "your counselor"
        )
        report = services.build("handout", "services.pdf", context)
        services.record(report, None, None)
        db.session.commit()
    write_report(output, report)
