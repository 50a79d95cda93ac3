package gen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// quantityPattern is the pattern controller-gen gives every resource.Quantity in a CRD (the
// Argo Rollouts CRDs carry it): the published OpenAPI spec of the built-in kinds says only
// "string or number", so a typo such as "512 Mi" would pass without it.
const quantityPattern = `^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`

const quantityName = "io.k8s.apimachinery.pkg.api.resource.Quantity"

// specFile matches the per group-version files of api/openapi-spec/v3: api__v1_openapi.json
// (the core group) and apis__GROUP__VERSION_openapi.json.
var specFile = regexp.MustCompile(`^(?:api__(v1)|apis__([a-z0-9.-]+)__([a-z0-9]+))_openapi\.json$`)

// builtinKinds reads the OpenAPI v3 spec of every built-in group-version in specDir, adds the
// enums of k8s.io/api's +enum types (apiDir), and writes one CUE file per kind holding the kind
// and every schema it refers to.
func builtinKinds(specDir, apiDir, version string) (map[string][]byte, []Kind, error) {
	enums, err := scanEnums(apiDir)
	if err != nil {
		return nil, nil, fmt.Errorf("reading +enum types: %w", err)
	}
	entries, err := os.ReadDir(specDir)
	if err != nil {
		return nil, nil, err
	}
	files := map[string][]byte{}
	var kinds []Kind
	patched, seen := map[string]bool{}, map[string]bool{}
	for _, e := range entries {
		m := specFile.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		group, ver := m[2], m[3]
		if m[1] != "" {
			group, ver = "", m[1]
		}
		components, err := readComponents(filepath.Join(specDir, e.Name()))
		if err != nil {
			return nil, nil, err
		}
		if err := prepare(components); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		for k := range enums.apply(components) {
			patched[k] = true
		}
		for n := range components {
			seen[n] = true
		}
		for _, name := range sortedKeys(components) {
			kind, ok := kindOf(components[name], group, ver)
			if !ok || strings.HasPrefix(name, "io.k8s.apimachinery.") || strings.HasSuffix(kind, "List") {
				continue
			}
			k := Kind{APIVersion: apiVersion(group, ver), Kind: kind, Definition: "#" + kind, Source: "kubernetes " + version}
			k.File = fileName(group, ver, kind)
			names, err := closure(components, name)
			if err != nil {
				return nil, nil, err
			}
			defs, err := defNames(names, name, kind)
			if err != nil {
				return nil, nil, err
			}
			header := fmt.Sprintf("%s %s of Kubernetes %s.\n\n%s", k.APIVersion, kind, version, generatedNote)
			b, err := extractFile(components, names, defs, header)
			if err != nil {
				return nil, nil, fmt.Errorf("%s %s: %w", k.APIVersion, kind, err)
			}
			files[k.File] = b
			kinds = append(kinds, k)
		}
	}
	if missing := enums.unused(patched, seen); len(missing) > 0 {
		return nil, nil, fmt.Errorf("+enum fields not found in the OpenAPI spec (the two sources disagree; check the versions): %s", strings.Join(missing, ", "))
	}
	if len(kinds) == 0 {
		return nil, nil, fmt.Errorf("no kinds found in %s", specDir)
	}
	return files, kinds, nil
}

func readComponents(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc.Components.Schemas, nil
}

// opaque are the built-in types the spec calls a bare object but whose content is free:
// managedFields' fieldsV1, a patch, an embedded raw object.
var opaque = []string{"io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1", "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
	"io.k8s.apimachinery.pkg.runtime.RawExtension"}

// prepare adjusts the built-in components before conversion: prose dropped, opaque objects
// opened, the quantity pattern added, int-or-string written as Kubernetes' own extension.
func prepare(components map[string]any) error {
	for _, n := range opaque {
		if c, ok := components[n].(map[string]any); ok {
			c["x-kubernetes-preserve-unknown-fields"] = true
		}
	}
	for _, n := range sortedKeys(components) {
		strip(components[n])
		openPreserved(components[n], false)
	}
	if q, ok := components[quantityName].(map[string]any); ok {
		if err := patchQuantity(q); err != nil {
			return err
		}
	}
	const intOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
	if c, ok := components[intOrString].(map[string]any); ok {
		if !onlyIntOrString(c["oneOf"]) {
			return fmt.Errorf("%s is no longer oneOf integer, string", intOrString)
		}
		delete(c, "oneOf")
		delete(c, "format")
		c["x-kubernetes-int-or-string"] = true
	}
	return nil
}

func patchQuantity(q map[string]any) error {
	alts, _ := q["oneOf"].([]any)
	for _, a := range alts {
		if m, ok := a.(map[string]any); ok && m["type"] == "string" {
			m["pattern"] = quantityPattern
			return nil
		}
	}
	return fmt.Errorf("%s has no string alternative to give the quantity pattern", quantityName)
}

// kindOf returns the kind a component is the top-level schema of, in this group-version.
func kindOf(s any, group, version string) (string, bool) {
	m, _ := s.(map[string]any)
	gvks, _ := m["x-kubernetes-group-version-kind"].([]any)
	if len(gvks) != 1 {
		return "", false
	}
	gvk, _ := gvks[0].(map[string]any)
	if gvk["group"] != group || gvk["version"] != version {
		return "", false
	}
	kind, ok := gvk["kind"].(string)
	return kind, ok && kind != ""
}

func apiVersion(group, version string) string {
	if group == "" {
		return version
	}
	return group + "/" + version
}

// fileName is the generated file of a kind: core_v1_pod.cue, apps_v1_deployment.cue.
func fileName(group, version, kind string) string {
	if group == "" {
		group = "core"
	}
	return strings.ToLower(group + "_" + version + "_" + kind + ".cue")
}

// shortPrefixes are cut from component names to make definition names: the Go package path
// of the type is still readable in what is left (core_v1_PodSpec, meta_v1_ObjectMeta).
var shortPrefixes = []string{"io.k8s.api.", "io.k8s.apimachinery.pkg.apis.", "io.k8s.apimachinery.pkg.api.",
	"io.k8s.apimachinery.pkg.util.", "io.k8s.apimachinery.pkg.", "io.k8s.kube-aggregator.pkg.apis.",
	"io.k8s.apiextensions-apiserver.pkg.apis."}

// defNames names the definition of each component: #Kind for the root, a short name for the
// rest.
func defNames(names []string, root, kind string) (map[string]string, error) {
	out := map[string]string{}
	used := map[string]string{}
	for _, n := range names {
		d := kind
		if n != root {
			d = n
			for _, p := range shortPrefixes {
				if strings.HasPrefix(n, p) {
					d = strings.TrimPrefix(n, p)
					break
				}
			}
			d = strings.NewReplacer(".", "_", "-", "_").Replace(d)
		}
		if other, dup := used[d]; dup {
			return nil, fmt.Errorf("schemas %s and %s would both be #%s", other, n, d)
		}
		used[d] = n
		out[n] = d
	}
	return out, nil
}
