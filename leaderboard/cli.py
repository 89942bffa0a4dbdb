import typer

app = typer.Typer(help="Leaderboard.")
