package model

import "testing"

// TestCollationKey: names utf8mb4_unicode_ci equates (by MySQL's UCA 4.0.0 weights, see
// collationKey) share a key; names it tells apart do not.
func TestCollationKey(t *testing.T) {
	same := [][2]string{
		{"Café", "Cafe"},
		{"Cafe\u0301", "CAFE"},
		{"Work\u200BStations", "Workstations"},
		{"Work\u2060stations\uFEFF", "Workstations"},
		{"Work Stations", "Work\u00A0Stations"},
		{"Work\u2009Stations", "Work Stations"},
		{"Straße", "STRASSE"},
		{"Ｗorkstations", "Workstations"},
		{"☁️ Servers", "☁ Servers"},
		{"🍣 Sushi", "🍺 Sushi"},
		{"Ășțî", "astI"},
		{"Άλφα", "αλφα"},
		{"İstanbul", "istanbul"},
		{"Servers ", "servers"},
	}
	for _, p := range same {
		if a, b := collationKey(p[0]), collationKey(p[1]); a != b {
			t.Errorf("%q and %q: keys %q and %q differ; MySQL equates them", p[0], p[1], a, b)
		}
	}
	different := [][2]string{
		{"Søren", "Soren"},
		{"Łódź", "Lodz"},
		{"Æther", "Aether"},
		{"Йога", "Иога"},
		{"ıi", "ii"},
		{"x\u00ADy", "xy"},
		{"A-B", "A‐B"},
		{"Work Stations", "Workstations"},
		{"Servers", "Server"},
	}
	for _, p := range different {
		if collationKey(p[0]) == collationKey(p[1]) {
			t.Errorf("%q and %q share a key; MySQL tells them apart", p[0], p[1])
		}
	}
}
