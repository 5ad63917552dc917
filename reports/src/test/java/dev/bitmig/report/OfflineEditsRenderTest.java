package dev.bitmig.report;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.InitialWorld;
import dev.bitmig.check.Trace;
import dev.bitmig.model.Action;
import dev.bitmig.model.Capabilities;
import dev.bitmig.model.NodeId;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** qemu-img's offline edits in the qemu-iotests test and the Python reproducer: qemu-img runs on the shared image. */
class OfflineEditsRenderTest {
    /** The shape of every class --offline-tools adds: an offline add of a migrating bitmap's name after handover. */
    static final Trace LOST_DISK = new Trace(Bounds.DEFAULT.withCapabilities(Capabilities.OFFLINE_TOOLS), "QEMU_7_2",
            List.empty(), InitialWorld.TARGET_WAITING,
            List.of(new Action.BitmapAdd(NodeId.SOURCE, "a", 1, true, false), new Action.MigrateStart(true),
                    new Action.Inactivate(NodeId.SOURCE), Action.ImgBitmap.add("a", 1, false),
                    new Action.MigrateComplete()), "NoLostDisk", "the target lost its disk");

    @Test
    void theIotestRunsQemuImgBitmapOnTheImageWhereTheModelRunsIt() {
        Iotest.Result r = Iotest.of(LOST_DISK, "bitmig-offline");
        assertThat(r.generated()).as(r.whyNot()).isTrue();
        assertThat(r.test()).contains("# step 5: ImgBitmap[op=ADD, name=a, granularity=1, disabled=false, source=]\n"
                + IotestLines.IND + "qemu_img('bitmap', '--add', '-g', '65536', disk, 'a')\n");
    }

    /** Initial world BITMAP_LOADED: the source runs on the image, so the lock refuses qemu-img. */
    @Test
    void aStepTheModelRefusesHasNoIotest() {
        Trace refused = new Trace(LOST_DISK.configuration(), "QEMU_7_2", List.empty(), InitialWorld.BITMAP_LOADED,
                List.of(Action.ImgBitmap.of(Action.ImgOp.CLEAR, "a")), "NoLostDisk", "m");
        assertThat(Iotest.of(refused, "bitmig-refused").whyNot()).startsWith("step 5 ImgBitmap[op=CLEAR, name=a, granularity=0, disabled=false, source=] is rejected by the model");
    }

    @Test
    void theReproducerCarriesQemuImgsCommandLineAndReadsItsErrors() {
        String py = Reproducer.of(LOST_DISK);
        assertThat(py).contains("\"argv\":[\"qemu-img\",\"bitmap\",\"--add\",\"-g\",\"65536\",{\"place\":\"IMAGE\"},\"a\"]")
                .contains("ImgBitmap = ImgCheck = qemu_img").contains("def img_error(out):");
    }

    /**
     * After both QEMUs quit nobody has the image open: qemu-img convert writes its copy, a rename replaces the image,
     * and the QEMUs launched on the copy then run the shape of QEMU 7.2's NoUnderReport class (an aware write between
     * handover and completion).
     */
    static final Trace CONVERTED = new Trace(LOST_DISK.configuration(), "QEMU_7_2", List.empty(),
            InitialWorld.BITMAP_LOADED, List.of(new Action.GuestWrite(NodeId.SOURCE, 1, 1), new Action.Quit(NodeId.SOURCE),
                    new Action.Quit(NodeId.TARGET), new Action.ImgConvert(true), new Action.Launch(NodeId.SOURCE, false),
                    new Action.Launch(NodeId.TARGET, true), new Action.MigrateStart(true), new Action.Inactivate(NodeId.SOURCE),
                    new Action.ForeignWrite(Action.Writer.AWARE, 0, 1), new Action.MigrateComplete()),
            "NoUnderReport", "m");

    @Test
    void theIotestConvertsTheImageAndRenamesTheCopyOverIt() {
        Iotest.Result r = Iotest.of(CONVERTED, "bitmig-convert");
        assertThat(r.generated()).as(r.whyNot()).isTrue();
        assertThat(r.test()).contains(IotestLines.IND + "qemu_img('convert', '-O', 'qcow2', '--bitmaps', "
                + "'--skip-broken-bitmaps', disk, os.path.join(iotests.test_dir, 'disk.qcow2.new'))\n"
                + IotestLines.IND + "os.replace(os.path.join(iotests.test_dir, 'disk.qcow2.new'), disk)\n");
    }

    @Test
    void theReproducerConvertsOnlyWhileNoQemuRunsAndSaysSoInTheModelsWords() {
        String py = Reproducer.of(CONVERTED);
        assertThat(py).contains("\"argv\":[\"qemu-img\",\"convert\",\"-f\",\"qcow2\",\"-O\",\"qcow2\",\"--bitmaps\","
                + "\"--skip-broken-bitmaps\",{\"place\":\"IMAGE\"},{\"place\":\"CONVERTED\"}]")
                .contains("\"argv\":[\"mv\",\"-f\",{\"place\":\"CONVERTED\"},{\"place\":\"IMAGE\"}]")
                .contains("def ImgConvert(self, a, ops):").contains("\"convertWhileOpen\":\""
                        + dev.bitmig.model.QemuErrors.CONVERT_WHILE_OPEN + "\"");
    }
}
