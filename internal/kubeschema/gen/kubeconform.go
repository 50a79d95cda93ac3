package gen

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
)

// KubeconformSchemas writes the kinds of Generate as the strict JSON Schemas kubeconform reads
// (one self-contained file per kind, additionalProperties false on every object that does not
// preserve unknown fields), from the same inputs with the same additions (enums, the quantity
// pattern), so the two validators can be compared on the same definitions, offline:
//
//	kubeconform -schema-location 'DIR/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'
//
// Core kinds are under DIR/v1 (kubeconform takes apiVersion "v1" as the group). Custom resources' metadata stays
// a bare object, as kubeconform's own CRD conversion leaves it.
func KubeconformSchemas(in Inputs) (map[string][]byte, error) {
	specDir := filepath.Join(in.Kubernetes.Dir, "api", "openapi-spec", "v3")
	enums, err := scanEnums(in.API.Dir)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	entries, err := filepath.Glob(filepath.Join(specDir, "*_openapi.json"))
	if err != nil {
		return nil, err
	}
	for _, path := range entries {
		m := specFile.FindStringSubmatch(filepath.Base(path))
		if m == nil {
			continue
		}
		group, ver := m[2], m[3]
		if m[1] != "" {
			group, ver = "", m[1]
		}
		components, err := readComponents(path)
		if err != nil {
			return nil, err
		}
		if err := prepare(components); err != nil {
			return nil, err
		}
		enums.apply(components)
		for _, name := range sortedKeys(components) {
			kind, ok := kindOf(components[name], group, ver)
			if !ok || strings.HasPrefix(name, "io.k8s.apimachinery.") || strings.HasSuffix(kind, "List") {
				continue
			}
			names, err := closure(components, name)
			if err != nil {
				return nil, err
			}
			defs := map[string]any{}
			for _, n := range names {
				defs[n] = strict(components[n])
			}
			b, err := json.Marshal(map[string]any{"$ref": "#/definitions/" + name, "definitions": defs})
			if err != nil {
				return nil, err
			}
			out[kubeconformFile(group, ver, kind)] = b
		}
	}
	for _, rel := range CRDFiles {
		if err := kubeconformCRDs(in.Shared, rel, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func kubeconformFile(group, version, kind string) string {
	if group == "" {
		group = version // kubeconform's {{.Group}} of apiVersion "v1" is "v1"
	}
	return filepath.ToSlash(filepath.Join(group, strings.ToLower(kind)+"_"+version+".json"))
}

func kubeconformCRDs(shared, rel string, out map[string][]byte) error {
	files, kinds, err := crdSchemasForKubeconform(shared, rel)
	if err != nil {
		return err
	}
	for i, k := range kinds {
		group, version, _ := strings.Cut(k.APIVersion, "/")
		out[kubeconformFile(group, version, k.Kind)] = files[i]
	}
	return nil
}

// strict copies a schema in JSON Schema form: references into definitions, int-or-string as
// a type list, objects closed unless they preserve unknown fields.
func strict(s any) any {
	m, ok := s.(map[string]any)
	if !ok {
		return s
	}
	out := maps.Clone(m)
	if r, ok := out["$ref"].(string); ok {
		out["$ref"] = "#/definitions/" + strings.TrimPrefix(r, componentPrefix)
	}
	if out["x-kubernetes-int-or-string"] == true {
		out["type"] = []any{"integer", "string"}
	}
	_, hasProps := out["properties"]
	_, hasAdditional := out["additionalProperties"]
	if hasProps && !hasAdditional && out["x-kubernetes-preserve-unknown-fields"] != true {
		out["additionalProperties"] = false
	}
	for _, k := range mapOfSchemas {
		if sub, ok := out[k].(map[string]any); ok {
			c := map[string]any{}
			for name, v := range sub {
				c[name] = strict(v)
			}
			out[k] = c
		}
	}
	for _, k := range oneSchema {
		if v, ok := out[k].(map[string]any); ok {
			out[k] = strict(v)
		}
	}
	for _, k := range listOfSchemas {
		if l, ok := out[k].([]any); ok {
			c := make([]any, len(l))
			for i, v := range l {
				c[i] = strict(v)
			}
			out[k] = c
		}
	}
	return out
}

// crdSchemasForKubeconform converts each served version of the CRDs in rel.
func crdSchemasForKubeconform(shared, rel string) ([][]byte, []Kind, error) {
	data, err := os.ReadFile(filepath.Join(shared, filepath.FromSlash(rel)))
	if err != nil {
		return nil, nil, err
	}
	var files [][]byte
	var kinds []Kind
	err = crdVersions(rel, data, func(k Kind, root map[string]any) error {
		if props, ok := root["properties"].(map[string]any); ok {
			props["metadata"] = map[string]any{"type": "object"}
		}
		b, err := json.Marshal(strict(root))
		if err != nil {
			return fmt.Errorf("%s %s: %w", k.APIVersion, k.Kind, err)
		}
		files = append(files, b)
		kinds = append(kinds, k)
		return nil
	})
	return files, kinds, err
}
