class OrbitDecayError(Exception):
    pass


class CollisionWarning(Exception):
    pass
