// Package e2e runs the Go client against a real Artenic server: node server/dist/src/main.js on a
// random loopback port with SQLite in a temporary directory and a known admin key, as `npm start`
// would run it. The server must be built first (tsc -b; scripts/test-clients.sh does it). When it
// cannot start, the package fails: nothing is skipped.
package e2e

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	root      string
	serverURL string
	adminKey  string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if root, err = filepath.Abs(filepath.Join("..", "..", "..")); err != nil {
		return fail(err)
	}
	main := filepath.Join(root, "server", "dist", "src", "main.js")
	if _, err := os.Stat(main); err != nil {
		return fail(fmt.Errorf("%s is missing: build the server first (npx tsc -b)", main))
	}
	dataDir, err := os.MkdirTemp("", "artenic-go-client-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dataDir)
	if err := os.MkdirAll(filepath.Join(root, "var"), 0o755); err != nil {
		return fail(err)
	}
	logPath := filepath.Join(root, "var", "clients-go-server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return fail(err)
	}
	defer logFile.Close()

	random := make([]byte, 24)
	_, _ = rand.Read(random)
	adminKey = "artenic_gotest_" + hex.EncodeToString(random)
	node := os.Getenv("ARTENIC_NODE")
	if node == "" {
		node = "node"
	}
	cmd := exec.Command(node, main)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = logFile, logFile
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ARTENIC_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"ARTENIC_HOST=127.0.0.1", "ARTENIC_PORT=0", "ARTENIC_DATA_DIR="+dataDir, "ARTENIC_API_KEY="+adminKey,
		"ARTENIC_LOG_LEVEL=info", "ARTENIC_SHUTDOWN_GRACE_MS=2000")
	if err := cmd.Start(); err != nil {
		return fail(err)
	}
	var exitErr error
	exited := make(chan struct{}) // closed when the server process has ended
	go func() { exitErr = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()

	if serverURL, err = waitForURL(logPath, exited, &exitErr, 60*time.Second); err != nil {
		return fail(err)
	}
	return m.Run()
}

// waitForURL reads the server's JSON log until the line that announces its URL.
func waitForURL(logPath string, exited <-chan struct{}, exitErr *error, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return "", fmt.Errorf("the server exited before serving (%v); log: %s\n%s", *exitErr, logPath, tail(logPath))
		default:
		}
		f, err := os.Open(logPath)
		if err != nil {
			return "", err
		}
		scanner := bufio.NewScanner(f)
		scanner.Buffer(make([]byte, 1<<20), 1<<20)
		for scanner.Scan() {
			var line struct {
				URL string `json:"url"`
			}
			if json.Unmarshal(scanner.Bytes(), &line) == nil && strings.HasPrefix(line.URL, "http") {
				f.Close()
				return line.URL, nil
			}
		}
		f.Close()
		time.Sleep(50 * time.Millisecond)
	}
	return "", fmt.Errorf("the server did not announce its URL within %v; log: %s\n%s", timeout, logPath, tail(logPath))
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "e2e:", err)
	return 1
}

// unique returns a resource id that no other test of this run uses.
func unique(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}
