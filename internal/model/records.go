package model

// The input's most numerous objects are records with fixed keys, one per reference: a team
// of Fleet's own configuration lists 40 references, 22 of them profiles, and every team using
// a package file is one of its used_by. They are built as structs, several to an allocation,
// and the policy input converts them straight to OPA objects (policy/input.go), where a map
// per record cost a dozen allocations before converting it.

// RefRecord is an item of input.refs: {entry, path, role, target, exists}.
type RefRecord struct {
	Entry  string
	Path   any // the data path as Rego sees it (shared: PathCache.Path)
	Role   string
	Target string
	Exists bool
}

// ProfileRecord is an item of input.profiles: {file, entry, ref, format, name, identifier,
// signed, payloads, problems, keys, platform, apple_platforms}.
type ProfileRecord struct {
	File, Entry, Format, Name, Identifier, Platform string
	Ref                                             any
	Signed                                          bool
	Payloads, Problems, Keys                        *Shared
	ApplePlatforms                                  any
}

// UseRecord is an item of input.packages[_].used_by: {entry, path}.
type UseRecord struct {
	Entry string
	Path  any // as RefRecord.Path (PathCache.Path)
}
