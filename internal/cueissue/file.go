package cueissue

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tollgate-dev/tollgate/internal/libmsg"
)

// ReadSchemaFile reads the organisation's schema file f through an os.Root of its directory:
// a symbolic link may point inside the directory, never out of it (a pull request's
// cue/x.cue -> ~/.ssh/id_rsa would otherwise be read, and shown in the compile error).
func ReadSchemaFile(f string) ([]byte, error) {
	root, err := os.OpenRoot(filepath.Dir(f))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	data, err := root.ReadFile(filepath.Base(f))
	if err != nil && libmsg.GoRootEscape.In(err.Error()) {
		return nil, fmt.Errorf("%s is a symbolic link leading out of its directory, which tollgate does not follow", f)
	}
	return data, err
}
