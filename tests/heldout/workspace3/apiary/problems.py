class SwarmAlert(Exception):
    pass


class VarroaError(Exception):
    pass


class FrameWarning(UserWarning):
    pass
