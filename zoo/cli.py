import typer

app = typer.Typer(help="Model zoo.", no_args_is_help=True)


@app.callback()
def _zoo() -> None:
    """Model zoo."""
