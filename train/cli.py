def train_command() -> None:
    """(being built)"""
