// Command check is what `make lint` runs on the deployment files:
//
//	check kubernetes OUT DIR...   builds each kustomization (as `kubectl apply -k` would), writes the
//	                              manifests to OUT/<n>.yaml for the schema check, and fails when a pod
//	                              (of a Deployment, Job, ...) breaks Pod Security "restricted" (latest)
//	check compose FILE...         loads each Compose file as Docker Compose does, against the Compose
//	                              specification's schema, and fails on any error
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) < 3 {
		fail("usage: check kubernetes OUT DIR... | check compose FILE...")
	}
	var problems []string
	switch os.Args[1] {
	case "kubernetes":
		problems = kubernetes(os.Args[2], os.Args[3:])
	case "compose":
		problems = compose(os.Args[2:])
	default:
		fail("unknown command " + os.Args[1])
	}
	for _, problem := range problems {
		fmt.Fprintln(os.Stderr, problem)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, message)
	os.Exit(2)
}

// A pod template inside a workload, whatever its kind.
type workload struct {
	Kind     string `json:"kind"`
	Metadata metav1.ObjectMeta
}

func kubernetes(out string, dirs []string) []string {
	var problems []string
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		fail(err.Error())
	}
	restricted := psapi.LevelVersion{Level: psapi.LevelRestricted, Version: psapi.LatestVersion()}
	kustomizer := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	for n, dir := range dirs {
		resources, err := kustomizer.Run(filesys.MakeFsOnDisk(), dir)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", dir, err))
			continue
		}
		rendered, err := resources.AsYaml()
		if err != nil {
			fail(err.Error())
		}
		if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("%d.yaml", n)), rendered, 0o644); err != nil {
			fail(err.Error())
		}
		for _, resource := range resources.Resources() {
			document, err := resource.AsYAML()
			if err != nil {
				fail(err.Error())
			}
			meta, spec, ok := podOf(resource.GetKind(), document)
			if !ok {
				continue
			}
			result := policy.AggregateCheckResults(evaluator.EvaluatePod(restricted, meta, spec))
			if !result.Allowed {
				problems = append(problems, fmt.Sprintf(
					"%s: %s %s breaks Pod Security \"restricted\": %s",
					dir, resource.GetKind(), resource.GetName(), result.ForbiddenDetail()))
			}
		}
	}
	return problems
}

// podOf returns the pod template of a workload, or false if the resource runs no pods.
func podOf(kind string, document []byte) (*metav1.ObjectMeta, *corev1.PodSpec, bool) {
	var template *corev1.PodTemplateSpec
	var err error
	switch kind {
	case "Deployment":
		var d appsv1.Deployment
		err, template = yaml.Unmarshal(document, &d), &d.Spec.Template
	case "StatefulSet":
		var s appsv1.StatefulSet
		err, template = yaml.Unmarshal(document, &s), &s.Spec.Template
	case "DaemonSet":
		var s appsv1.DaemonSet
		err, template = yaml.Unmarshal(document, &s), &s.Spec.Template
	case "Job":
		var j batchv1.Job
		err, template = yaml.Unmarshal(document, &j), &j.Spec.Template
	case "CronJob":
		var c batchv1.CronJob
		err, template = yaml.Unmarshal(document, &c), &c.Spec.JobTemplate.Spec.Template
	case "Pod":
		var p corev1.Pod
		if err := yaml.Unmarshal(document, &p); err != nil {
			fail(err.Error())
		}
		return &p.ObjectMeta, &p.Spec, true
	default:
		return nil, nil, false
	}
	if err != nil {
		fail(err.Error())
	}
	return &template.ObjectMeta, &template.Spec, true
}

func compose(files []string) []string {
	var problems []string
	for _, file := range files {
		options, err := cli.NewProjectOptions([]string{file},
			cli.WithWorkingDirectory(filepath.Dir(file)), cli.WithOsEnv, cli.WithResolvedPaths(false))
		if err == nil {
			_, err = options.LoadProject(context.Background())
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s", file, strings.TrimSpace(err.Error())))
		}
	}
	return problems
}
