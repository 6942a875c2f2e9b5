"""tramline: tram journeys, timetables and fares."""
