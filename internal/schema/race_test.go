//go:build race

package schema

// raceEnabled: the race detector is on, and allocates beside every allocation it watches.
const raceEnabled = true
