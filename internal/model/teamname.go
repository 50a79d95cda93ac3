package model

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fleet finds a team by name with `SELECT * FROM teams WHERE name = ?` (TeamByName, in
// fleetdm/fleet server/datastore/mysql/teams.go), after looking for the file's own team, and
// the name column's collation is utf8mb4_unicode_ci (schema.sql: `name varchar(255) COLLATE
// utf8mb4_unicode_ci`; only the unique index is on a binary copy, name_bin). So two team files
// whose names that collation equates configure one team, whatever their bytes.
//
// utf8mb4_unicode_ci compares the primary weights of UCA 4.0.0 (MySQL manual, "Unicode
// Character Sets": the xxx_unicode_ci collations use allkeys-4.0.0.txt; "Collation Naming
// Conventions": a name with _ci and without _ai or _as is accent-insensitive). Read in MySQL's
// own table (strings/uca_data.h, as in MySQL 8.0.20) its weights give:
//   - Latin and Greek letters with accents weigh as their base letter (À…Å and Ā…ą as A, é as
//     e, Ș as S, Ά as Α, the Latin and Greek Extended blocks as their bases), upper case as
//     lower case, İ as I (but ı is a letter of its own);
//   - ß weighs as "ss"; fullwidth ASCII (U+FF01–FF5E) as ASCII;
//   - U+00A0, U+2000–200A, U+202F and U+205F weigh as a space;
//   - weight nothing, so disappear: C0 and C1 controls (but tab and line breaks), U+200B–200F
//     (zero-width space, joiners, direction marks), U+202A–202E, U+2060–2063, U+206A–206F,
//     U+FE00–FE0F (variation selectors), U+FE20–FE23 and U+FEFF;
//   - every character outside the BMP weighs as U+FFFD (my_uca_v400's maxchar is 0xFFFF), so
//     "🍣 Sushi" and "🍺 Sushi" are one name;
//   - letters with a stroke and ligatures are letters of their own (ø ≠ o, ł ≠ l, đ ≠ d,
//     æ ≠ ae), and so are several Cyrillic letters with a diacritic (й ≠ и, ї ≠ і, ў ≠ у),
//     and hyphens of different kinds.
//
// collationKey folds a name by exactly these rules and no others: two names with equal keys
// are equal to MySQL, so a clash is never reported that Fleet would not see (some it would
// see, e.g. ς and σ, are not folded). A modern UCA collator (golang.org/x/text/collate) is not
// a model of it: it equates ø with o, æ with ae and ignores the soft hyphen, which 4.0.0 does
// not.
func collationKey(name string) string {
	var b strings.Builder
	for _, r := range nameKey(name) {
		switch {
		case r > 0xFFFF:
			r = 0xFFFD
		case ignorable(r):
			continue
		case isSpace(r):
			r = ' '
		case r == 'ß':
			b.WriteString("ss")
			continue
		case 0xFF01 <= r && r <= 0xFF5E:
			r -= 0xFEE0
		case r >= 0xC0 && unicode.In(r, unicode.Latin, unicode.Greek):
			r = baseLetter(r)
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.TrimRight(b.String(), " ") // utf8mb4_unicode_ci is PAD SPACE
}

// baseLetter is r without its accents, when its canonical decomposition is a letter followed
// by combining accents (U+0300–0362); r itself otherwise.
func baseLetter(r rune) rune {
	d := []rune(norm.NFD.String(string(r)))
	for _, m := range d[1:] {
		if m < 0x0300 || m > 0x0362 {
			return r
		}
	}
	return d[0]
}

// ignorable: weighs nothing in utf8mb4_unicode_ci (see collationKey).
func ignorable(r rune) bool {
	switch {
	case r <= 0x08, 0x0E <= r && r <= 0x1F, 0x7F <= r && r <= 0x84, 0x86 <= r && r <= 0x9F:
		return true
	case 0x200B <= r && r <= 0x200F, 0x202A <= r && r <= 0x202E, 0x2060 <= r && r <= 0x2063, 0x206A <= r && r <= 0x206F:
		return true
	case 0xFE00 <= r && r <= 0xFE0F, 0xFE20 <= r && r <= 0xFE23, r == 0xFEFF:
		return true
	}
	return false
}

func isSpace(r rune) bool {
	return r == 0xA0 || 0x2000 <= r && r <= 0x200A || r == 0x202F || r == 0x205F
}
