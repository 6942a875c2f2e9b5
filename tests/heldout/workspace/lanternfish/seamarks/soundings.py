def deepest(depths: list[float]) -> float:
    return max(depths)
