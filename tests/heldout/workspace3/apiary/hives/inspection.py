def needs_space(frames_full: int, frames_total: int) -> bool:
    return frames_full / frames_total > 0.8
