package gen

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// crdKinds converts every served version of every CustomResourceDefinition in data (a YAML
// stream that may hold other documents too) into one CUE file per kind and version. name
// says where data came from, for messages and the file headers.
//
// The root's metadata is left out of the generated schema (CRDs declare it as a bare
// object): the validator checks it against Kubernetes' ObjectMeta, as the API server does.
func crdKinds(name string, data []byte) (map[string][]byte, []Kind, error) {
	files := map[string][]byte{}
	var kinds []Kind
	err := crdVersions(name, data, func(k Kind, root map[string]any) error {
		header := fmt.Sprintf("%s %s, from the CustomResourceDefinition in %s.\n"+
			"metadata is checked against Kubernetes' ObjectMeta (%s) by the validator.\n\n%s",
			k.APIVersion, k.Kind, name, objectMetaFile, generatedNote)
		b, err := extractFile(map[string]any{k.Kind: root}, []string{k.Kind}, map[string]string{k.Kind: k.Kind}, header)
		if err != nil {
			return fmt.Errorf("%s %s: %w", k.APIVersion, k.Kind, err)
		}
		files[k.File] = b
		kinds = append(kinds, k)
		return nil
	})
	return files, kinds, err
}

// crdVersions calls fn with the index entry and the prepared schema (prose stripped, unknown
// fields preserved as additionalProperties, metadata taken out) of every served version of
// every CRD in data.
func crdVersions(name string, data []byte, fn func(k Kind, root map[string]any) error) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	found := false
	for i := 0; ; i++ {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: document %d: %w", name, i+1, err)
		}
		if doc["kind"] != "CustomResourceDefinition" {
			continue
		}
		if doc["apiVersion"] != "apiextensions.k8s.io/v1" {
			return fmt.Errorf("%s: document %d: CustomResourceDefinition of %v; only apiextensions.k8s.io/v1 is read", name, i+1, doc["apiVersion"])
		}
		if err := crdDocument(name, doc, func(k Kind, root map[string]any) error {
			found = true
			return fn(k, root)
		}); err != nil {
			return fmt.Errorf("%s: document %d: %w", name, i+1, err)
		}
	}
	if !found {
		return fmt.Errorf("%s: no CustomResourceDefinition with a schema", name)
	}
	return nil
}

func crdDocument(source string, doc map[string]any, fn func(k Kind, root map[string]any) error) error {
	spec, _ := doc["spec"].(map[string]any)
	group, _ := spec["group"].(string)
	names, _ := spec["names"].(map[string]any)
	kind, _ := names["kind"].(string)
	versions, _ := spec["versions"].([]any)
	if group == "" || kind == "" || len(versions) == 0 {
		return fmt.Errorf("CustomResourceDefinition without spec.group, spec.names.kind or spec.versions")
	}
	for _, v := range versions {
		ver, _ := v.(map[string]any)
		vname, _ := ver["name"].(string)
		if served, _ := ver["served"].(bool); !served || vname == "" {
			continue
		}
		sch, _ := ver["schema"].(map[string]any)
		root, ok := sch["openAPIV3Schema"].(map[string]any)
		if !ok {
			return fmt.Errorf("%s/%s %s has no openAPIV3Schema", group, vname, kind)
		}
		strip(root)
		openPreserved(root, false)
		root["x-kubernetes-group-version-kind"] = []any{map[string]any{"group": group, "version": vname, "kind": kind}}
		if props, ok := root["properties"].(map[string]any); ok {
			delete(props, "metadata")
		}
		k := Kind{APIVersion: group + "/" + vname, Kind: kind, Definition: "#" + kind, Source: source, File: fileName(group, vname, kind), CustomResource: true}
		if dep, _ := ver["deprecated"].(bool); dep {
			k.Deprecated, _ = ver["deprecationWarning"].(string)
			if k.Deprecated == "" {
				k.Deprecated = fmt.Sprintf("%s %s is deprecated", k.APIVersion, kind)
			}
		}
		if err := fn(k, root); err != nil {
			return err
		}
	}
	return nil
}

// objectMeta writes the schema of ObjectMeta (and what it refers to) from the core group's
// spec, for the custom resources' metadata.
func objectMeta(specDir, version string) ([]byte, error) {
	components, err := readComponents(specDir + "/api__v1_openapi.json")
	if err != nil {
		return nil, err
	}
	const root = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
	if err := prepare(components); err != nil {
		return nil, err
	}
	names, err := closure(components, root)
	if err != nil {
		return nil, err
	}
	defs, err := defNames(names, root, "ObjectMeta")
	if err != nil {
		return nil, err
	}
	header := fmt.Sprintf("ObjectMeta of Kubernetes %s: the metadata of every custom resource.\n\n%s", version, generatedNote)
	return extractFile(components, names, defs, header)
}

const objectMetaFile = "meta_v1_objectmeta.cue"
