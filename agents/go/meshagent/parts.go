package meshagent

import (
	commonv1 "dev.meshwork/agents/go/gen/meshwork/common/v1"
	"google.golang.org/protobuf/types/known/structpb"
)

// Text is a text part.
func Text(s string) *commonv1.Part {
	return &commonv1.Part{Kind: &commonv1.Part_Text{Text: s}}
}

// Data is a structured data part; values must be JSON-like (see structpb.NewStruct).
func Data(values map[string]any) (*commonv1.Part, error) {
	s, err := structpb.NewStruct(values)
	if err != nil {
		return nil, err
	}
	return &commonv1.Part{Kind: &commonv1.Part_Data{Data: s}}, nil
}

// MustData is Data for values known to be JSON-like.
func MustData(values map[string]any) *commonv1.Part {
	p, err := Data(values)
	if err != nil {
		panic(err)
	}
	return p
}

// File is a file part.
func File(content []byte, name, mediaType string) *commonv1.Part {
	return &commonv1.Part{Kind: &commonv1.Part_File{File: &commonv1.FilePart{Name: name, MediaType: mediaType, Content: content}}}
}

// Texts are the texts of the text parts.
func Texts(parts []*commonv1.Part) []string {
	var out []string
	for _, p := range parts {
		if t, ok := p.Kind.(*commonv1.Part_Text); ok {
			out = append(out, t.Text)
		}
	}
	return out
}
