package load

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// readAll reads what the file holds whatever Stat said: less (truncated since), exactly, or
// more (grown since), never past the limit.
func TestReadAll(t *testing.T) {
	data := strings.Repeat("x", 1000)
	for _, tc := range []struct {
		name        string
		size, limit int64
		want        int
	}{
		{"as stat'ed", 1000, 5000, 1000},
		{"shrank", 2000, 5000, 1000},
		{"grew", 10, 5000, 1000},
		{"grew past the limit", 10, 600, 600},
		{"empty", 0, 5000, 1000},
	} {
		got, err := readAll(strings.NewReader(data), tc.size, tc.limit)
		if err != nil || len(got) != tc.want || !bytes.Equal(got, []byte(data[:tc.want])) {
			t.Errorf("%s: got %d bytes, %v; want %d", tc.name, len(got), err, tc.want)
		}
	}
	if _, err := readAll(io.MultiReader(strings.NewReader("ab"), errReader{}), 10, 100); err == nil {
		t.Error("a read error was not returned")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }
