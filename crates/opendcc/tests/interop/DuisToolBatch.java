// Runs Smart DCC's DUIS signing tool (npm @smartdcc/duis-sign-wrap, dist/tool.jar) on many files
// in one JVM, so that the interoperability suite does not pay the JVM's start-up per document.
// Part of opendcc's tests (MIT OR Apache-2.0); it calls the tool's public entry points only.
//
// Usage: java -cp tool.jar DuisToolBatch.java   (Java 11+ source launcher)
// Reads lines "sign|sign-keep|validate <TAB> INPUT <TAB> OUTPUT" from standard input. For each,
// runs the tool's Sign (sign-keep: Sign --preserveCounter) or Validate on INPUT, writes what the
// tool printed on standard output to OUTPUT, and answers one line
// "RESULT_CODE <TAB> tool's diagnostics, newlines as \n".
//
// Sign takes its RequestID counter from the clock in milliseconds; two signatures in the same
// millisecond would share a counter, which the DCC must refuse as a replay, so each Sign waits
// for the clock to pass the previous one's millisecond.

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

public class DuisToolBatch {
    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        long lastSign = 0;
        String line;
        while ((line = in.readLine()) != null) {
            String[] job = line.split("\t", -1);
            if (job.length != 3) {
                out.println("BAD_JOB\t" + line.replace("\n", "\\n"));
                out.flush();
                continue;
            }
            boolean keep = job[0].equals("sign-keep");
            boolean sign = keep || job[0].equals("sign");
            if (sign) {
                while (System.currentTimeMillis() <= lastSign) {
                    Thread.sleep(1);
                }
            }
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            ByteArrayOutputStream stderr = new ByteArrayOutputStream();
            System.setOut(new PrintStream(stdout, true, "UTF-8"));
            System.setErr(new PrintStream(stderr, true, "UTF-8"));
            String result;
            try {
                Object code = sign
                        ? uk.co.smartdcc.boxed.xmldsig.Sign.main_aux(keep
                                ? new String[] {job[1], "--preserveCounter"}
                                : new String[] {job[1]})
                        : uk.co.smartdcc.boxed.xmldsig.Validate.main_aux(new String[] {job[1]});
                result = String.valueOf(code);
            } catch (Throwable t) {
                result = "EXCEPTION";
                t.printStackTrace();
            } finally {
                System.out.flush();
                System.err.flush();
                System.setOut(out);
                System.setErr(err);
            }
            if (sign) {
                lastSign = System.currentTimeMillis();
            }
            Files.write(Paths.get(job[2]), stdout.toByteArray());
            String diag = new String(stderr.toByteArray(), StandardCharsets.UTF_8)
                    .replace("\\", "\\\\")
                    .replace("\r", "")
                    .replace("\n", "\\n")
                    .replace("\t", " ");
            out.println(result + "\t" + diag);
            out.flush();
        }
    }
}
