def eval_command() -> None:
    """(being built)"""
