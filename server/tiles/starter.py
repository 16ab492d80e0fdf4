"""The starter library: eight Tiles a new tenant can load and then edit as its own."""

from __future__ import annotations

from server.tiles.schemas import TileCreate
from shared.movement import MovementIntensity

_LIGHT, _MODERATE, _VIGOROUS = (
    MovementIntensity.LIGHT,
    MovementIntensity.MODERATE,
    MovementIntensity.VIGOROUS,
)

#: Keyed by a stable name, so loading again adds only what is missing.
STARTER_TILES: dict[str, TileCreate] = {
    "desk-stretch": TileCreate(
        title="Desk stretch",
        summary="Loosen neck, shoulders and back without leaving your desk.",
        steps=[
            "Sit tall, feet flat, and take three slow breaths.",
            "Roll your shoulders back ten times, then forward ten times.",
            "Tilt your ear towards each shoulder and hold for 20 seconds a side.",
            "Clasp your hands, push them forward and round your upper back for 20 seconds.",
            "Twist gently to each side, holding the chair back, for 20 seconds a side.",
            "Stand, reach both arms overhead and hold for 20 seconds.",
        ],
        minutes=5,
        intensity=_LIGHT,
        contraindications=["recent neck or shoulder injury"],
    ),
    "stair-intervals": TileCreate(
        title="Stair intervals",
        summary="Short bursts up a flight of stairs with easy walks down between them.",
        steps=[
            "Walk up and down the stairs twice at an easy pace to warm up.",
            "Climb one flight briskly, using the handrail if you need it.",
            "Walk down slowly and catch your breath.",
            "Repeat the brisk climb and slow walk down six times.",
            "Finish with one easy flight and a minute of walking on the flat.",
        ],
        minutes=8,
        intensity=_VIGOROUS,
        contraindications=["heart condition", "knee injury", "pregnancy"],
    ),
    "breathing-walk": TileCreate(
        title="Breathing walk",
        summary="An easy walk that paces your steps with slow breathing.",
        steps=[
            "Walk at a comfortable pace for one minute.",
            "Breathe in for four steps and out for six steps.",
            "Keep that rhythm for five minutes, letting your shoulders drop.",
            "Slow down for the last minute and breathe normally.",
        ],
        minutes=7,
        intensity=_LIGHT,
    ),
    "wall-push-ups": TileCreate(
        title="Wall push-ups",
        summary="Upper-body strength with nothing but a wall.",
        steps=[
            "Stand an arm's length from a wall, hands on it at shoulder height.",
            "Bend your elbows and bring your chest towards the wall, then push back.",
            "Do 10 push-ups, rest 30 seconds, three rounds in all.",
            "Finish by shaking out your arms and stretching your chest in a doorway.",
        ],
        minutes=5,
        intensity=_MODERATE,
        contraindications=["wrist or shoulder injury"],
    ),
    "chair-squats": TileCreate(
        title="Chair squats",
        summary="Stand up and sit down with control: strong legs for every day.",
        steps=[
            "Sit near the front of a sturdy chair, feet hip-width apart.",
            "Lean forward slightly and stand up without using your hands.",
            "Sit back down slowly, counting to three.",
            "Do 10, rest a minute, and repeat for three rounds.",
        ],
        minutes=6,
        intensity=_MODERATE,
        contraindications=["acute knee or hip pain"],
    ),
    "brisk-walk": TileCreate(
        title="Brisk walk",
        summary="Ten minutes at a pace where you can talk but not sing.",
        steps=[
            "Start at an easy pace for two minutes.",
            "Speed up until you breathe faster but can still talk.",
            "Hold that pace for six minutes, swinging your arms.",
            "Slow down for the last two minutes.",
        ],
        minutes=10,
        intensity=_MODERATE,
    ),
    "back-care-mobility": TileCreate(
        title="Back-care mobility",
        summary="Gentle movements that keep the spine supple.",
        steps=[
            "On hands and knees, arch and round your back slowly ten times.",
            "Sit back towards your heels with arms long for 30 seconds.",
            "Lie on your back, knees bent, and let them fall to each side ten times.",
            "Hug both knees to your chest for 30 seconds.",
        ],
        minutes=7,
        intensity=_LIGHT,
        contraindications=["acute back pain", "pregnancy after the first trimester"],
    ),
    "jumping-jacks-circuit": TileCreate(
        title="Jumping jacks circuit",
        summary="A quick heart-raiser: jacks, high knees and rest.",
        steps=[
            "March on the spot for one minute to warm up.",
            "Do jumping jacks for 30 seconds.",
            "Do high knees for 30 seconds.",
            "Rest for 30 seconds, then repeat the jacks and knees four more times.",
            "March on the spot for one minute to cool down.",
        ],
        minutes=9,
        intensity=_VIGOROUS,
        contraindications=["heart condition", "pregnancy", "pelvic floor problems"],
    ),
}
