class CrackedPotError(Exception):
    pass


class UnderfiredError(Exception):
    pass
