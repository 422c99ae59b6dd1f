"""``hubbub backfill``: large archives through the pipeline on Dask workers.

Thin: loads the workspace, opens the store (or takes ``--out``), starts or joins a
Dask cluster and calls :func:`hubbub.scale.backfill.backfill`, showing a progress
bar over partitions. Registers itself on the app when imported.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hubbub.cli.commands import app
from hubbub.cli.errors import BAD_INPUT, FAILED, fail, handled, stderr
from hubbub.settings import get_settings
from hubbub.store import Store
from hubbub.workspace import load_workspace

__all__ = ["backfill_command"]


@app.command("backfill")
def backfill_command(
    archives: Annotated[
        list[Path],
        typer.Argument(
            help="JSON Lines (.jsonl, .jsonl.gz), X account archives (.zip) or Parquet files.",
            metavar="ARCHIVE...",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", help="The workspace file [default: hubbub.toml]."),
    ] = None,
    dask: Annotated[
        str,
        typer.Option(help="'local' starts a cluster here; tcp://HOST:PORT joins a scheduler."),
    ] = "local",
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes for --dask local [default: CPUs].")
    ] = 0,
    out: Annotated[
        Path | None,
        typer.Option(help="Write mentions as Parquet files here instead of the database."),
    ] = None,
    partition_mb: Annotated[
        float, typer.Option(min=0.001, help="Size of a JSON Lines partition, in MiB.")
    ] = 64,
) -> None:
    """Backfill large archives in parallel on Dask workers.

    Every partition runs the same pipeline as `hubbub import`; mentions go to the
    database (or to Parquet with --out). A bad line is reported as FILE:LINE: reason,
    the other partitions finish and the exit code is 1; running the same command again
    redoes only the partitions that failed or were never done.

    Example: hubbub backfill tweets-2023.jsonl.gz archive.zip --dask local --workers 2
    """
    from hubbub.scale.backfill import BackfillError, PartitionResult, backfill, dask_client

    with handled():
        ws = load_workspace(workspace or get_settings().workspace_file)
        n_workers = workers or os.cpu_count() or 1
        store = None if out is not None else Store.open()
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("partitions, {task.fields[posts]:,} posts"),
            TimeElapsedColumn(),
        )
        err = stderr()
        try:
            with (
                dask_client(dask, n_workers) as client,
                Progress(
                    *columns, console=Console(stderr=True, soft_wrap=True), transient=True
                ) as bar,
            ):
                task = bar.add_task(f"Backfilling {ws.slug}", total=None, posts=0)

                def planned(n: int) -> None:
                    bar.update(task, total=n)

                def advanced(result: PartitionResult) -> None:
                    for line in result.errors:
                        bar.console.print(line, markup=False, highlight=False)
                    posts = bar.tasks[0].fields["posts"] + result.posts
                    bar.update(task, advance=1, posts=posts)

                report = backfill(
                    archives,
                    ws,
                    store=store,
                    out_dir=out,
                    client=client,
                    partition_bytes=max(1, int(partition_mb * 1024 * 1024)),
                    on_plan=planned,
                    on_result=advanced,
                )
        except BackfillError as exc:
            fail(str(exc), BAD_INPUT)
        finally:
            if store is not None:
                store.close()
        where = str(out) if out is not None else "the database"
        skipped = f", {report.skipped:,} done before" if report.skipped else ""
        typer.echo(
            f"Backfilled {report.done:,} of {report.partitions:,} partitions{skipped} into "
            f"{where}: {report.posts:,} posts, {report.mentions:,} mentions "
            f"({report.elapsed:.1f} s, {report.posts_per_second:,.0f} posts/s)."
        )
        if report.failed:
            err.print(
                f"hubbub: {report.failed:,} partition(s) had errors (see above); run the "
                "same command again to redo only those",
                markup=False,
            )
            raise typer.Exit(FAILED)
