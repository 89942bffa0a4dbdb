def synth_command() -> None:
    """(being built)"""
