// Times Smart DCC's DUIS signing tool (npm @smartdcc/duis-sign-wrap, dist/tool.jar) per document
// in one warm JVM, for the comparison in BENCHMARKS.md. Part of opendcc (MIT OR Apache-2.0); it
// calls the tool's public entry points only (Sign.main_aux, Validate.main_aux), which take a file
// name, read it, load the signing or validating key and print the result.
//
// Usage: java -cp tool.jar DuisSignBench.java ROUNDS DIR
//   DIR holds unsigned DUIS requests (*.XML). Each document is signed (Sign --preserveCounter,
//   so that the RequestID is kept and no clock wait is needed) and the signed copy validated;
//   3 untimed warm-up rounds, then ROUNDS timed rounds of "sign every document" and "validate
//   every signed document". Prints the mean time per document of each.

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class DuisSignBench {
    static final PrintStream REAL_OUT = System.out;
    static final PrintStream REAL_ERR = System.err;
    static final ByteArrayOutputStream DIAGNOSTICS = new ByteArrayOutputStream();

    static String run(boolean sign, String file, ByteArrayOutputStream sink) throws Exception {
        sink.reset();
        DIAGNOSTICS.reset();
        Object code = sign
                ? uk.co.smartdcc.boxed.xmldsig.Sign.main_aux(new String[] {file, "--preserveCounter"})
                : uk.co.smartdcc.boxed.xmldsig.Validate.main_aux(new String[] {file});
        return String.valueOf(code);
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        File[] files = new File(args[1]).listFiles((d, n) -> n.toUpperCase().endsWith(".XML"));
        Arrays.sort(files);
        Path signedDir = Files.createTempDirectory("duis-signed");
        // The tool prints the document on standard output and its diagnostics on standard error.
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        ByteArrayOutputStream diagnostics = DIAGNOSTICS;
        PrintStream quiet = new PrintStream(sink, true, "UTF-8");
        PrintStream quietErr = new PrintStream(diagnostics, true, "UTF-8");
        List<String> inputs = new ArrayList<>();
        List<String> signed = new ArrayList<>();
        System.setOut(quiet);
        System.setErr(quietErr);
        int failures = 0;
        try {
            for (File f : files) {
                String code = run(true, f.getPath(), sink);
                Path out = signedDir.resolve(f.getName());
                Files.write(out, sink.toByteArray());
                if (!code.equals("SUCCESS")) {
                    failures++;
                    continue;
                }
                inputs.add(f.getPath());
                signed.add(out.toString());
            }
            for (int w = 0; w < 3; w++) {
                for (String f : inputs) run(true, f, sink);
                for (String f : signed) run(false, f, sink);
            }
            long signNs = 0, validateNs = 0;
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (String f : inputs) run(true, f, sink);
                long t1 = System.nanoTime();
                for (String f : signed) {
                    String code = run(false, f, sink);
                    if (!code.equals("SUCCESS")) failures++;
                }
                long t2 = System.nanoTime();
                signNs += t1 - t0;
                validateNs += t2 - t1;
            }
            System.setOut(REAL_OUT);
            System.setErr(REAL_ERR);
            double docs = (double) inputs.size() * rounds;
            System.out.printf(
                    "documents %d (sign failures or validation failures: %d), rounds %d%n",
                    inputs.size(), failures, rounds);
            System.out.printf("Sign     mean %.1f us/document%n", signNs / docs / 1000.0);
            System.out.printf("Validate mean %.1f us/document%n", validateNs / docs / 1000.0);
        } finally {
            System.setOut(REAL_OUT);
            System.setErr(REAL_ERR);
        }
    }
}
