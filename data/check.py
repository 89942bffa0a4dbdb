def check_command() -> None:
    """(being built)"""
