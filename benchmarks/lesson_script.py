"""The lesson's own script (../shared/seed/rnn-lesson.md), timed by benchmarks/end_to_end.py.

Three changes, all needed to run it unattended and none that makes it slower:
- figures are saved to PNG files (``plt.savefig``) instead of shown in a window;
- the confusion matrix is counted with NumPy and drawn with matplotlib's ``imshow``
  instead of scikit-learn and seaborn, which rnnlab does not depend on (importing them
  would only make the lesson slower, and the comparison easier);
- the Chinese titles use the default font (SimHei is not installed here).
Usage: python benchmarks/lesson_script.py [OUTPUT_DIR]
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

OUTPUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
OUTPUT.mkdir(parents=True, exist_ok=True)

# 设置随机种子以确保结果可重复
torch.manual_seed(42)
np.random.seed(42)


# 1. 生成简单序列数据
def generate_sequence_data(num_samples, seq_length):
    data = []
    labels = []
    for _ in range(num_samples):
        seq = np.random.randint(0, 2, size=(seq_length,))
        label = 1 if np.sum(seq) > seq_length // 2 else 0
        data.append(seq)
        labels.append(label)
    return torch.FloatTensor(np.array(data)).unsqueeze(-1), torch.LongTensor(labels)


num_samples = 1000
seq_length = 10
input_size = 1
hidden_size = 16
num_classes = 2

train_data, train_labels = generate_sequence_data(num_samples, seq_length)
test_data, test_labels = generate_sequence_data(num_samples // 5, seq_length)


# 2. 定义RNN模型
class SimpleRNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        h0 = torch.zeros(1, x.size(0), hidden_size).to(x.device)
        out, _ = self.rnn(x, h0)
        out = self.fc(out[:, -1, :])
        return out


# 3. 初始化模型、损失函数和优化器
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
model = SimpleRNN(input_size, hidden_size, num_classes).to(device)
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.01)


# 4. 训练模型
def train_model(num_epochs=20):
    model.train()
    loss_list = []
    for epoch in range(num_epochs):
        inputs, labels = train_data.to(device), train_labels.to(device)
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_list.append(loss.item())
        if (epoch + 1) % 5 == 0:
            print(f"Epoch [{epoch + 1}/{num_epochs}], Loss: {loss.item():.4f}")
    return loss_list


# 5. 测试模型
def test_model():
    model.eval()
    with torch.no_grad():
        inputs, labels = test_data.to(device), test_labels.to(device)
        outputs = model(inputs)
        _, predicted = torch.max(outputs.data, 1)
        total = labels.size(0)
        correct = (predicted == labels).sum().item()
        accuracy = 100 * correct / total
        print(f"Test Accuracy: {accuracy:.2f}%")
        return predicted.cpu().numpy(), labels.cpu().numpy()


# 6. 可视化函数
def plot_loss_curve(loss_list):
    plt.figure(figsize=(8, 4))
    plt.plot(loss_list, label="Train Loss")
    plt.xlabel("Epoch")
    plt.ylabel("Loss")
    plt.title("Training loss")
    plt.legend()
    plt.grid(True)
    plt.tight_layout()
    plt.savefig(OUTPUT / "loss_curve.png")


def plot_confusion_matrix(pred, true):
    cm = np.zeros((2, 2), dtype=int)
    np.add.at(cm, (true, pred), 1)
    plt.figure(figsize=(4, 3))
    plt.imshow(cm, cmap="Blues")
    for (row, column), count in np.ndenumerate(cm):
        plt.text(column, row, str(count), ha="center", va="center")
    plt.xticks([0, 1], ["0", "1"])
    plt.yticks([0, 1], ["0", "1"])
    plt.xlabel("Predicted label")
    plt.ylabel("True label")
    plt.title("Confusion matrix")
    plt.tight_layout()
    plt.savefig(OUTPUT / "confusion_matrix.png")


if __name__ == "__main__":
    print("Training started...")
    loss_list = train_model(num_epochs=20)
    print("\nTesting started...")
    pred, true = test_model()
    plot_loss_curve(loss_list)
    plot_confusion_matrix(pred, true)
